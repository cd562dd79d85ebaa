using System.Diagnostics;
using System.Net.Sockets;

namespace PiStreaming.Tests.Support;

/// <summary>
/// Debian's nginx (installed by ./build.sh test), run by the test itself in a temporary directory with its
/// own configuration on loopback ports (nginx -p DIR -c nginx.conf -g 'daemon off;'), and killed at the end.
/// </summary>
internal sealed class Nginx : IDisposable
{
    public const string Executable = "/usr/sbin/nginx";
    public const string RtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    private readonly Process process;

    private Nginx(Process process, string directory)
    {
        this.process = process;
        Directory = directory;
    }

    /// <summary>Its prefix directory, where its log and anything it writes (HLS) go.</summary>
    public string Directory { get; }

    public string ErrorLog => File.Exists(Path.Combine(Directory, "error.log")) ? File.ReadAllText(Path.Combine(Directory, "error.log")) : "";

    /// <summary>A configuration file of the repository (docs/nginx/NAME), to take into a test's configuration.</summary>
    public static string RepositoryConfiguration(string name) =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(Artifacts.PathFor("nginx", "x"))!, "..", "..", "docs", "nginx", name));

    /// <summary>Starts nginx with <paramref name="http"/> in its http {} block and <paramref name="top"/> at the top level; waits until <paramref name="ports"/> accept.</summary>
    public static async Task<Nginx> StartAsync(string http, string top, bool loadRtmp, params int[] ports)
    {
        Assert.That(File.Exists(Executable), Is.True, "nginx is needed (./build.sh test installs Debian's nginx)");
        var directory = System.IO.Directory.CreateTempSubdirectory("pistreaming-nginx-").FullName;
        // Its workers may run as another user (nobody, when started as root): let them write here.
        File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
        var configuration = $$"""
            {{(loadRtmp ? $"load_module {RtmpModule};" : "")}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{http}}
            }
            {{top}}
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), configuration);
        var startInfo = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-p", directory, "-c", "nginx.conf", "-g", "daemon off;" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var nginx = new Nginx(Process.Start(startInfo)!, directory);
        try
        {
            foreach (var port in ports)
            {
                await Eventually.HoldsAsync(() => Accepts(port) || nginx.process.HasExited, TimeSpan.FromSeconds(10), $"nginx listens on port {port}");
            }

            Assert.That(nginx.process.HasExited, Is.False, $"nginx exited: {await nginx.process.StandardError.ReadToEndAsync()} {nginx.ErrorLog}");
            return nginx;
        }
        catch
        {
            nginx.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
