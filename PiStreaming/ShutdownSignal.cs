using System.Runtime.InteropServices;

namespace PiStreaming;

/// <summary>
/// Ctrl+C (SIGINT) or SIGTERM asks for an orderly stop; a second one exits at once, for when the
/// orderly stop is not fast enough for the person at the keyboard.
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    public const int ImmediateExitCode = 130;

    private readonly TaskCompletionSource requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] registrations;

    public ShutdownSignal()
    {
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
        if (!requested.TrySetResult())
        {
            Console.Error.WriteLine("second stop signal: exiting now");
            Environment.Exit(ImmediateExitCode);
        }
    }
}
