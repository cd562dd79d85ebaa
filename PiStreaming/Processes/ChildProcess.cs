using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace PiStreaming.Processes;

/// <summary>
/// A helper program (ffmpeg, a camera tool) with binary stdin/stdout, its stderr logged line by
/// line, and the whole process tree killed when disposed.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    // Every child not yet disposed, for exiting at once without leaving one behind.
    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();

    // After the program has exited, its stderr normally ends at once; a process it left behind (outside
    // its tree) may hold it open for ever, so the pump is given this long and then abandoned.
    private static readonly TimeSpan StandardErrorDrain = TimeSpan.FromMilliseconds(200);

    private readonly Process process;
    private readonly CancellationTokenSource abandonStandardError = new();
    private readonly Task stderrPump;
    private readonly ILogger logger;
    private volatile string lastErrorLine = "";
    private int standardErrorEnding;

    private ChildProcess(Process process, string name, ILogger logger)
    {
        this.process = process;
        Name = name;
        this.logger = logger;
        stderrPump = PumpStandardErrorAsync();
        Running.TryAdd(this, 0);
    }

    /// <summary>The program, as it was asked for (not the setsid that starts it).</summary>
    public string Name { get; }
    public Stream StandardInput => process.StandardInput.BaseStream;
    public Stream StandardOutput => process.StandardOutput.BaseStream;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>The last thing the program wrote to stderr: usually why it failed.</summary>
    public string LastErrorLine => lastErrorLine;

    // setsid (util-linux, on every Debian and Raspberry Pi OS) gives the program a session of its own,
    // so a terminal's Ctrl+C reaches only this server, which then stops the program at a frame
    // boundary. Otherwise ffmpeg, interrupted inside a frame, logs a corrupt last frame on every stop.
    private static readonly string? SessionLauncher = ExecutableLocator.Find("setsid");

    /// <exception cref="ChildProcessException">the program is missing or cannot run.</exception>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, ILogger logger, bool redirectInput = true)
    {
        if (ExecutableLocator.Find(fileName) is null)
        {
            throw new ChildProcessException($"cannot start {fileName}: not found");
        }

        var startInfo = new ProcessStartInfo(SessionLauncher ?? fileName)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (SessionLauncher is not null)
        {
            // setsid replaces itself with the program (same pid), so killing the tree still reaches it.
            startInfo.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new ChildProcessException($"cannot start {fileName}: {e.Message}", e);
        }

        logger.LogDebug("started {Program} (pid {Pid}): {Arguments}", fileName, process.Id, string.Join(' ', startInfo.ArgumentList));
        return new ChildProcess(process, fileName, logger);
    }

    /// <summary>Waits until the program has exited and its stderr has ended, so <see cref="LastErrorLine"/> is its last word.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        await stderrPump.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> (or until <paramref name="cancellationToken"/> fires) for the
    /// program to end by itself, then kills its tree.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogDebug("{Program} did not exit within {Timeout} ms; killing it", Name, timeout.TotalMilliseconds);
            Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }

        await EndStandardErrorAsync();
    }

    /// <summary>Kills every child still running, each with its tree: for exiting without the orderly stop.</summary>
    public static void KillAll()
    {
        foreach (var child in Running.Keys)
        {
            child.Kill();
        }
    }

    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        EndStandardError();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await process.WaitForExitAsync(CancellationToken.None);
        await EndStandardErrorAsync();
        Running.TryRemove(this, out _);
        process.Dispose();
        abandonStandardError.Dispose();
    }

    private async Task EndStandardErrorAsync()
    {
        EndStandardError();
        await stderrPump;
    }

    // Gives the stderr pump its last moment to read what the program said, unless already given.
    private void EndStandardError()
    {
        if (Interlocked.Exchange(ref standardErrorEnding, 1) == 0)
        {
            try
            {
                abandonStandardError.CancelAfter(StandardErrorDrain);
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile (KillAll racing the orderly stop): the pump has ended.
            }
        }
    }

    private async Task PumpStandardErrorAsync()
    {
        var reader = process.StandardError;
        while (await ReadLineOrNullAsync(reader) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            lastErrorLine = line;
            logger.LogInformation("{Program}: {Line}", Path.GetFileName(Name), line);
        }
    }

    private async Task<string?> ReadLineOrNullAsync(StreamReader reader)
    {
        try
        {
            return await reader.ReadLineAsync(abandonStandardError.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}

/// <summary>A helper program could not be started or failed; the message says what to do.</summary>
public sealed class ChildProcessException(string message, Exception? inner = null) : Exception(message, inner);
