using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PiStreaming.Benchmarks;

/// <summary>
/// The server as users run it (a separate process started from PiStreaming.dll), with what a benchmark
/// reads about it: its ports, its resident memory and CPU time (ffmpeg, its child, apart) and its log.
/// </summary>
internal sealed partial class BenchmarkServer : IAsyncDisposable
{
    // SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
    private const int SIGTERM = 15;

    private readonly Process process;
    private readonly ConcurrentQueue<string> log = new();
    private readonly TaskCompletionSource<(int Http, int WebSocket)> ports = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchmarkServer(Process process, string host)
    {
        this.process = process;
        Host = host;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            log.Enqueue(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                ports.TrySetResult((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Pid => process.Id;
    public int HttpPort { get; private set; }
    public int WebSocketPort { get; private set; }

    /// <summary>Where to reach the server, as a URL host: its --bind address, or loopback when it listens on every address.</summary>
    public string Host { get; }

    public Uri HttpUri => new($"http://{Host}:{HttpPort}/");
    public Uri WebSocketUri => new($"ws://{Host}:{WebSocketPort}/");

    /// <summary>The server's standard input (for --source stdin).</summary>
    public Stream StandardInput => process.StandardInput.BaseStream;

    /// <summary>Everything the server logged so far.</summary>
    public IReadOnlyList<string> Log => [.. log];

    /// <summary>Starts PiStreaming.dll (on loopback with free ports unless the arguments say otherwise) and waits until it listens.</summary>
    /// <param name="build">which server to start (default: the PiStreaming.dll built beside the benchmarks).</param>
    public static async Task<BenchmarkServer> StartAsync(IReadOnlyList<string> arguments, TimeSpan timeout, ServerBuild? build = null)
    {
        var startInfo = (build ?? ServerBuild.Current).StartInfo();
        var withDefaults = WithLoopbackDefaults(arguments).ToList();
        foreach (var argument in withDefaults)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var server = new BenchmarkServer(Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the server"), UrlHost(withDefaults));
        try
        {
            (server.HttpPort, server.WebSocketPort) = await server.ports.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("the server did not start listening:\n" + string.Join('\n', server.Log));
        }

        return server;
    }

    /// <summary>Resident memory of the server process (VmRSS), ffmpeg not included.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/<pid>/status");
    }

    /// <summary>CPU time the server process has used (user + system), ffmpeg not included.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>The encoder child process, once it runs.</summary>
    public int? EncoderPid() => Latency.ProcessUsage.Children(Pid).Cast<int?>().FirstOrDefault(pid => Latency.ProcessUsage.CommandName(pid!.Value) == "ffmpeg");

    /// <summary>The server's ffmpeg whose command line contains <paramref name="text"/> (e.g. "libx264"), if it runs.</summary>
    public int? EncoderPid(string text) => Latency.ProcessUsage.Children(Pid).Cast<int?>()
        .FirstOrDefault(pid => Latency.ProcessUsage.CommandName(pid!.Value) == "ffmpeg" && (Latency.ProcessUsage.CommandLine(pid.Value) ?? "").Contains(text, StringComparison.Ordinal));

    /// <summary>Stopped as a service manager would; killed if it has not exited after a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, SIGTERM);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private static string UrlHost(List<string> arguments)
    {
        var at = arguments.LastIndexOf("--bind");
        var bound = at >= 0 && at + 1 < arguments.Count && IPAddress.TryParse(arguments[at + 1], out var address) ? address : IPAddress.Loopback;
        var reachable = bound.Equals(IPAddress.Any) ? IPAddress.Loopback : bound.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : bound;
        return reachable.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{reachable}]" : reachable.ToString();
    }

    private static IEnumerable<string> WithLoopbackDefaults(IReadOnlyList<string> arguments)
    {
        var defaults = new (string Option, string Value)[] { ("--bind", "127.0.0.1"), ("--http-port", "0"), ("--ws-port", "0") };
        foreach (var (option, value) in defaults.Where(d => !arguments.Contains(d.Option)))
        {
            yield return option;
            yield return value;
        }

        foreach (var argument in arguments)
        {
            yield return argument;
        }
    }

    // USER_HZ: 100 on every Linux this runs on.
    private const int ClockTicksPerSecond = 100;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"open http://\S+:(\d+)/ \(video WebSocket on port (\d+)\)")]
    private static partial Regex ListeningLine();
}
