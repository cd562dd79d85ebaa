using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PiStreaming.Tests.Support;

/// <summary>
/// Debian's nginx (installed by ./build.sh test), started by the test itself in the foreground on loopback
/// ports, with its own configuration and temporary files in a temporary folder (nginx -p DIR -c nginx.conf
/// -g 'daemon off;'), and killed after: as an https reverse proxy in front of the server as the README
/// shows it, or with a configuration of the repository (docs/nginx/) for relays and RTMP.
/// </summary>
internal sealed class Nginx : IDisposable
{
    public const string Executable = "/usr/sbin/nginx";
    public const string RtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    private readonly Process process;
    private readonly ConcurrentQueue<string> errors;

    private Nginx(Process process, ConcurrentQueue<string> errors, string directory, int port)
    {
        this.process = process;
        this.errors = errors;
        Directory = directory;
        Port = port;
    }

    public int Port { get; }
    public Uri Uri => new($"https://127.0.0.1:{Port}/");

    /// <summary>Its prefix folder, where its files and anything it writes (HLS) go.</summary>
    public string Directory { get; }

    /// <summary>What nginx logged (its error log goes to stderr).</summary>
    public string ErrorLog => string.Join('\n', errors);

    /// <summary>nginx as an https reverse proxy in front of the server on <paramref name="upstreamPort"/>.</summary>
    public static async Task<Nginx> StartAsync(int upstreamPort)
    {
        var directory = NewDirectory();
        TestCertificates.Write(Path.Combine(directory, "fullchain.pem"), Path.Combine(directory, "privkey.pem"), "proxy");
        var port = FreePorts.Pick(1)[0];
        return await StartAsync(directory, $$"""
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              server {
                listen 127.0.0.1:{{port}} ssl;
                ssl_certificate {{directory}}/fullchain.pem;
                ssl_certificate_key {{directory}}/privkey.pem;
            {{ProxySnippet(upstreamPort)}}
              }
            """, "", loadRtmp: false, [port]);
    }

    /// <summary>nginx with <paramref name="http"/> in its http {} block and <paramref name="top"/> at the top level; waits until <paramref name="ports"/> accept.</summary>
    public static Task<Nginx> StartWithAsync(string http, string top, bool loadRtmp, params int[] ports) => StartAsync(NewDirectory(), http, top, loadRtmp, ports);

    /// <summary>A configuration file of the repository (docs/nginx/NAME), to take into a test's configuration.</summary>
    public static string RepositoryConfiguration(string name) =>
        File.ReadAllText(Path.Combine(Repository.Root(), "docs", "nginx", name));

    /// <summary>The location block the README gives (the server on plain http on loopback behind it).</summary>
    public static string ProxySnippet(int upstreamPort) => $$"""
            location / {
              proxy_pass http://127.0.0.1:{{upstreamPort}};
              proxy_http_version 1.1;
              proxy_set_header Host $http_host;
              proxy_set_header Upgrade $http_upgrade;
              proxy_set_header Connection $connection_upgrade;
              proxy_buffering off;
              proxy_read_timeout 1h;
            }
        """;

    private static string NewDirectory()
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException($"{Executable} not found; ./build.sh test installs it (Debian package nginx)", Executable);
        }

        var directory = Path.Combine(Path.GetTempPath(), $"pistreaming-nginx-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    private static async Task<Nginx> StartAsync(string directory, string http, string top, bool loadRtmp, int[] ports)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            {{(loadRtmp ? $"load_module {RtmpModule};" : "")}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
            {{http}}
            }
            {{top}}
            """);
        var startInfo = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        // Started as root, nginx's workers would switch to nobody, who could not write to the temporary folder.
        var global = Environment.UserName == "root" ? "daemon off; user root;" : "daemon off;";
        foreach (var argument in new[] { "-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-g", global })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        var errors = new ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) => errors.Enqueue(e.Data ?? "");
        process.BeginErrorReadLine();
        var nginx = new Nginx(process, errors, directory, ports[0]);
        var deadline = Stopwatch.StartNew();
        while (!ports.All(Accepts))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                nginx.Dispose();
                Assert.Fail($"nginx did not start: {string.Join('\n', errors)}");
            }

            await Task.Delay(50);
        }

        return nginx;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // left for the system's temporary-file cleaning
        }
    }
}
