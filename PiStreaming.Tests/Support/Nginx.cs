using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PiStreaming.Tests.Support;

/// <summary>
/// Debian's nginx as an https reverse proxy in front of the server, as the README shows it: started by the test
/// in the foreground on a loopback port, with its own configuration, certificate and temporary files in a
/// temporary folder, and killed after.
/// </summary>
internal sealed class Nginx : IDisposable
{
    public const string Executable = "/usr/sbin/nginx";

    private readonly Process process;
    private readonly string directory;

    private Nginx(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }
    public Uri Uri => new($"https://127.0.0.1:{Port}/");

    public static async Task<Nginx> StartAsync(int upstreamPort)
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException($"{Executable} not found; ./build.sh test installs it (Debian package nginx)", Executable);
        }

        var directory = Path.Combine(Path.GetTempPath(), $"pistreaming-nginx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        TestCertificates.Write(Path.Combine(directory, "fullchain.pem"), Path.Combine(directory, "privkey.pem"), "proxy");
        var port = FreePorts.Pick(1)[0];
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              server {
                listen 127.0.0.1:{{port}} ssl;
                ssl_certificate {{directory}}/fullchain.pem;
                ssl_certificate_key {{directory}}/privkey.pem;
            {{ProxySnippet(upstreamPort)}}
              }
            }
            """);
        var startInfo = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-g", "daemon off; user root;" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo)!;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) => errors.Enqueue(e.Data ?? "");
        process.BeginErrorReadLine();
        var nginx = new Nginx(process, directory, port);
        var deadline = Stopwatch.StartNew();
        while (!Accepts(port))
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
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // left for the system's temporary-file cleaning
        }
    }
}
