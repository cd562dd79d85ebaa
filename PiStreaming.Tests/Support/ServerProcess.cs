using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PiStreaming.Tests.Support;

/// <summary>The server as users run it: a separate process, signalled like a terminal would.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> errorLines = new();
    private readonly TaskCompletionSource<(int Http, int WebSocket)> ports = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            errorLines.Enqueue(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                ports.TrySetResult((int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)));
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Listen on loopback only, on ports the system picks (the log line names them).</summary>
    public static readonly string[] Loopback = ["--bind", "127.0.0.1", "--http-port", "0", "--ws-port", "0"];

    public int Id => process.Id;
    public Process Process => process;
    public string StandardError => string.Join('\n', errorLines);

    /// <summary>
    /// The server the tests start: PiStreaming.dll built beside them, run with dotnet; or, when the environment variable
    /// PISTREAMING_TEST_SERVER names one, that executable (e.g. the Native AOT build in artifacts/publish/linux-x64).
    /// </summary>
    public static IReadOnlyList<string> Command { get; } = Environment.GetEnvironmentVariable("PISTREAMING_TEST_SERVER") is { Length: > 0 } server
        ? [Path.GetFullPath(server)]
        : ["dotnet", Path.Combine(AppContext.BaseDirectory, "PiStreaming.dll")];

    /// <param name="ownProcessGroup">start it as a process group leader (through setsid), like a shell job.</param>
    /// <param name="descriptorLimit">start it under `ulimit -n` of this many open files (soft and hard).</param>
    public static ServerProcess Start(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, bool ownProcessGroup = false,
        int? descriptorLimit = null)
    {
        var startInfo = new ProcessStartInfo(ownProcessGroup ? "setsid" : Command[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (descriptorLimit is { } limit)
        {
            // The shell replaces itself with the server (same pid) once the limit is set.
            startInfo.FileName = ownProcessGroup ? "setsid" : "bash";
            if (ownProcessGroup)
            {
                startInfo.ArgumentList.Add("bash");
            }

            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add($"ulimit -n {limit} && exec \"$@\"");
            startInfo.ArgumentList.Add("bash");
            startInfo.ArgumentList.Add(Command[0]);
        }
        else if (ownProcessGroup)
        {
            startInfo.ArgumentList.Add(Command[0]);
        }

        foreach (var argument in Command.Skip(1).Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Whatever runs the tests (a systemd service, a terminal) is not what the server is told about.
        startInfo.Environment.Remove("JOURNAL_STREAM");
        startInfo.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        return new ServerProcess(Process.Start(startInfo)!);
    }

    /// <summary>Starts the server as another program runs it, e.g. a published build under an emulator.</summary>
    /// <param name="program">the program to start, e.g. qemu-aarch64-static.</param>
    /// <param name="arguments">everything after the program name, the server's options included.</param>
    public static ServerProcess StartProgram(string program, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return new ServerProcess(Process.Start(startInfo)!);
    }

    /// <summary>The ports from the server's "open http(s)://...:P/ (video WebSocket on port Q)" line.</summary>
    public Task<(int Http, int WebSocket)> WaitUntilListeningAsync(TimeSpan timeout) => ports.Task.WaitAsync(timeout);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    public void Signal(int signal) => Assert.That(Kill(process.Id, signal), Is.Zero, "kill() failed");

    /// <summary>Sends a signal to any process, e.g. SIGKILL to one of the server's children.</summary>
    public static void SignalProcess(int pid, int signal) => Assert.That(Kill(pid, signal), Is.Zero, "kill() failed");

    /// <summary>What a terminal does on Ctrl+C: the signal goes to every process of the group at once.</summary>
    public void SignalProcessGroup(int signal) => Assert.That(Kill(-process.Id, signal), Is.Zero, "kill() failed");

    /// <summary>Pids whose parent is this process (ffmpeg, camera tools).</summary>
    public IReadOnlyList<int> ChildPids() => ChildrenOf(process.Id);

    /// <summary>Pids whose parent is <paramref name="parent"/>.</summary>
    public static IReadOnlyList<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == parent)
            .ToList();

    /// <summary>Waits until the server has logged a line containing <paramref name="text"/>; returns that line.</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (errorLines.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the server did not log '{text}' within {timeout.TotalSeconds} s; it logged:\n{StandardError}");
        return "";
    }

    /// <summary>The child process whose command line contains <paramref name="text"/> (e.g. "mpeg1video" for the encoder).</summary>
    public int ChildWhoseCommandLineContains(string text)
    {
        var matches = ChildPids().Where(pid => CommandLineOf(pid).Contains(text, StringComparison.Ordinal)).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"children matching '{text}': {string.Join("; ", ChildPids().Select(CommandLineOf))}");
        return matches[0];
    }

    public static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"open https?://\S+:(\d+)/ \(video WebSocket on port (\d+)\)")]
    private static partial Regex ListeningLine();
}
