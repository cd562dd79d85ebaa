using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PiStreaming.Benchmarks.Latency;

/// <summary>The real server as a separate process on loopback (the PiStreaming.dll built beside this program).</summary>
public sealed partial class ServerUnderTest : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> errorLines = new();
    private readonly TaskCompletionSource<(int Http, int WebSocket)> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerUnderTest(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"the server exited:\n{StandardError}"));
                return;
            }

            errorLines.Enqueue(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult((int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)));
            }
        };
        process.BeginErrorReadLine();
        process.OutputDataReceived += (_, _) => { }; // drained, so it can never block on a full pipe
        process.BeginOutputReadLine();
    }

    public int Pid => process.Id;
    public int HttpPort { get; private set; }
    public int WebSocketPort { get; private set; }
    public string StandardError => string.Join('\n', errorLines);

    /// <summary>Starts the server on free loopback ports and waits until it listens.</summary>
    public static async Task<ServerUnderTest> StartAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PiStreaming.dll"));
        foreach (var argument in WithLoopbackDefaults(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var server = new ServerUnderTest(Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet did not start"));
        try
        {
            (server.HttpPort, server.WebSocketPort) = await server.listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The encoder child process, once it runs.</summary>
    public int? EncoderPid() => ProcessUsage.Children(Pid).Cast<int?>().FirstOrDefault(pid => ProcessUsage.CommandName(pid!.Value) == "ffmpeg");

    /// <summary>SIGTERM (not SIGINT, which background jobs of a script ignore), then a kill if it has not exited after a few seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, Terminate);
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

    // Loopback and free ports unless the run says otherwise.
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

    private const int Terminate = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    [GeneratedRegex(@"open http://\S+:(\d+)/ \(video WebSocket on port (\d+)\)")]
    private static partial Regex ListeningLine();
}
