using System.Collections.Concurrent;
using System.ComponentModel;
using CliWrap;
using Microsoft.Extensions.Logging;

namespace PiStreaming.Processes;

/// <summary>
/// A helper program (ffmpeg, a camera tool) run through CliWrap, with binary stdin/stdout as streams,
/// its stderr logged line by line, and the whole process tree killed when disposed.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>The exit code reported for a program this server killed (128 + SIGKILL, as a shell says it).</summary>
    public const int KilledExitCode = 137;

    // Every child not yet disposed, for exiting at once without leaving one behind.
    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();

    // setsid (util-linux, on every Debian and Raspberry Pi OS) gives the program a session of its own,
    // so a terminal's Ctrl+C reaches only this server, which then stops the program at a frame
    // boundary. Otherwise ffmpeg, interrupted inside a frame, logs a corrupt last frame on every stop.
    private static readonly string? SessionLauncher = ExecutableLocator.Find("setsid");

    private readonly InputPipe input;
    private readonly OutputPipe output;
    private readonly StandardErrorLog standardError;
    private readonly CancellationTokenSource kill;
    private readonly Task execution;
    private readonly ILogger logger;
    private int? exitCode;

    private ChildProcess(string name, InputPipe input, OutputPipe output, StandardErrorLog standardError, CancellationTokenSource kill,
        CommandTask<CommandResult> task, ILogger logger)
    {
        Name = name;
        this.input = input;
        this.output = output;
        this.standardError = standardError;
        this.kill = kill;
        this.logger = logger;
        execution = RecordExitAsync(task);
        Running.TryAdd(this, 0);
    }

    /// <summary>The program, as it was asked for (not the setsid that starts it).</summary>
    public string Name { get; }
    public Stream StandardInput => input.Writer;
    public Stream StandardOutput => output.Reader;

    /// <summary>The program has exited and its output has ended (or was given up).</summary>
    public bool HasExited => execution.IsCompleted;

    /// <summary>Its exit code (<see cref="KilledExitCode"/> when this server killed it); only once <see cref="HasExited"/>.</summary>
    /// <exception cref="InvalidOperationException">it has not exited yet.</exception>
    public int ExitCode => exitCode ?? throw new InvalidOperationException($"{Name} has not exited yet");

    /// <summary>The last thing the program wrote to stderr: usually why it failed.</summary>
    public string LastErrorLine => standardError.LastLine;

    /// <param name="inputPipeBytes">how much its stdin pipe holds (see <see cref="PipeCapacity"/>).</param>
    /// <param name="outputPipeBytes">how much its stdout pipe holds, and is read at a time.</param>
    /// <exception cref="ChildProcessException">the program is missing or cannot run.</exception>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, ILogger logger, int inputPipeBytes = PipeCapacity.Default,
        int outputPipeBytes = PipeCapacity.Default)
    {
        if (ExecutableLocator.Find(fileName) is null)
        {
            throw new ChildProcessException($"cannot start {fileName}: not found");
        }

        // setsid replaces itself with the program (same pid), so killing the tree still reaches it.
        IReadOnlyList<string> argumentList = SessionLauncher is null ? [.. arguments] : [fileName, .. arguments];
        var input = new InputPipe(inputPipeBytes);
        var output = new OutputPipe(outputPipeBytes);
        var standardError = new StandardErrorLog(fileName, logger);
        var kill = new CancellationTokenSource();
        var command = Cli.Wrap(SessionLauncher ?? fileName)
            .WithArguments(argumentList)
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(input.Source)
            .WithStandardOutputPipe(output.Target)
            .WithStandardErrorPipe(standardError.Target);
        CommandTask<CommandResult> task;
        try
        {
            // Cancelling kill is CliWrap's forceful cancellation: it kills the program's whole tree.
            task = command.ExecuteAsync(kill.Token);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            kill.Dispose();
            standardError.Dispose();
            throw new ChildProcessException($"cannot start {fileName}: {e.InnerException?.Message ?? e.Message}", e);
        }

        logger.LogDebug("started {Program} (pid {Pid}): {Arguments}", fileName, task.ProcessId, string.Join(' ', argumentList));
        return new ChildProcess(fileName, input, output, standardError, kill, task, logger);
    }

    /// <summary>Waits until the program has exited and its output has ended, so <see cref="LastErrorLine"/> is its last word.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => execution.WaitAsync(cancellationToken);

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
            await execution.WaitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogDebug("{Program} did not exit within {Timeout} ms; killing it", Name, timeout.TotalMilliseconds);
            Kill();
            await execution;
        }
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
            kill.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile (KillAll racing the orderly stop): it is dead already.
        }

        standardError.End();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await execution;
        Running.TryRemove(this, out _);
        await input.Writer.DisposeAsync();
        kill.Dispose();
        standardError.Dispose();
    }

    // The exit code, also when killed (CliWrap then reports the cancellation instead of a result).
    private async Task RecordExitAsync(CommandTask<CommandResult> task)
    {
        try
        {
            exitCode = (await task).ExitCode;
        }
        catch (OperationCanceledException)
        {
            exitCode = KilledExitCode;
        }
        catch (TimeoutException e)
        {
            // CliWrap waited 3 s for the killed program to go: the kill failed, and there is nothing more to do.
            logger.LogWarning("{Program}: {Message}", Path.GetFileName(Name), e.Message);
            exitCode = KilledExitCode;
        }
    }
}

/// <summary>A helper program could not be started or failed; the message says what to do.</summary>
internal sealed class ChildProcessException(string message, Exception? inner = null) : Exception(message, inner);
