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
    private readonly Process process;
    private readonly Task stderrPump;
    private readonly ILogger logger;
    private volatile string lastErrorLine = "";

    private ChildProcess(Process process, ILogger logger)
    {
        this.process = process;
        this.logger = logger;
        stderrPump = PumpStandardErrorAsync();
    }

    public string Name => process.StartInfo.FileName;
    public Stream StandardInput => process.StandardInput.BaseStream;
    public Stream StandardOutput => process.StandardOutput.BaseStream;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>The last thing the program wrote to stderr: usually why it failed.</summary>
    public string LastErrorLine => lastErrorLine;

    /// <exception cref="ChildProcessException">the program is missing or cannot run.</exception>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, ILogger logger, bool redirectInput = true)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        return new ChildProcess(process, logger);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>Waits up to <paramref name="timeout"/> for the program to end by itself, then kills its tree.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
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

        await stderrPump;
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
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await process.WaitForExitAsync(CancellationToken.None);
        await stderrPump;
        process.Dispose();
    }

    private async Task PumpStandardErrorAsync()
    {
        var reader = process.StandardError;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            lastErrorLine = line;
            logger.LogInformation("{Program}: {Line}", Path.GetFileName(Name), line);
        }
    }
}

/// <summary>A helper program could not be started or failed; the message says what to do.</summary>
public sealed class ChildProcessException(string message, Exception? inner = null) : Exception(message, inner);
