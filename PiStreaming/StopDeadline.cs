using Microsoft.Extensions.Logging;
using PiStreaming.Processes;

namespace PiStreaming;

/// <summary>
/// A safety net for the orderly stop: when it has not finished within <see cref="Limit"/> of
/// <see cref="Start"/> (something hangs that should not), every helper program's process tree is
/// killed and the program exits with the status it would have had.
/// </summary>
/// <param name="loggers">flushed before exiting, so the log is complete.</param>
internal sealed class StopDeadline(ILoggerFactory loggers, TimeProvider time) : IDisposable
{
    /// <summary>The orderly stop takes well under a second, even with viewers that never answer the close.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    private ITimer? timer;

    public void Start(ExitStatus status) => timer ??= time.CreateTimer(_ => Expire(status), null, Limit, Timeout.InfiniteTimeSpan);

    public void Dispose() => timer?.Dispose();

    private void Expire(ExitStatus status)
    {
        ChildProcess.KillAll();
        loggers.CreateLogger("PiStreaming").LogWarning("the stop took longer than {Seconds} s; killed the camera and encoder, exiting now", Limit.TotalSeconds);
        loggers.Dispose();
        Environment.Exit(status.Report());
    }
}
