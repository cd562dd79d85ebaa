using System.Runtime.InteropServices;

namespace PiStreaming;

/// <summary>
/// Ctrl+C (SIGINT) or SIGTERM asks for an orderly stop; a second one exits at once, for when the
/// orderly stop is not fast enough for the person at the keyboard (helper programs are killed first).
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    // Tools like `timeout` send their signal to the process and then to its whole group: one request.
    private static readonly TimeSpan SameRequest = TimeSpan.FromMilliseconds(100);

    private readonly TaskCompletionSource requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] registrations;
    private long firstSignalTimestamp;

    private readonly TimeProvider time;

    public ShutdownSignal(TimeProvider time)
    {
        this.time = time;
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Completes at the first signal.</summary>
    public Task Requested => requested.Task;

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // keep the runtime from terminating; we stop in order
        if (requested.TrySetResult())
        {
            firstSignalTimestamp = time.GetTimestamp();
        }
        else if (time.GetElapsedTime(firstSignalTimestamp) > SameRequest)
        {
            Console.Error.WriteLine("second stop signal: exiting now");
            Processes.ChildProcess.KillAll();
            Environment.Exit(ExitStatus.ImmediateExitCode);
        }
    }
}
