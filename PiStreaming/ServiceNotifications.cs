using Microsoft.Extensions.Hosting.Systemd;

namespace PiStreaming;

/// <summary>
/// Tells systemd how the service is doing (a unit with Type=notify): ready once the server listens,
/// stopping when the orderly stop begins. Uses Microsoft.Extensions.Hosting.Systemd's notifier, which
/// writes to the socket in NOTIFY_SOCKET; without that variable (not run by systemd) it does nothing.
/// </summary>
internal sealed class ServiceNotifications
{
    private readonly SystemdNotifier notifier = new();

    public ServiceNotifications()
    {
        // The camera tool and ffmpeg have nothing to tell systemd (sd_notify's unset_environment does the same).
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
    }

    /// <param name="status">one line for `systemctl status`.</param>
    public void Ready(string status) => Notify($"READY=1\nSTATUS={status}");

    public void Stopping() => Notify("STOPPING=1\nSTATUS=stopping");

    private void Notify(string state)
    {
        if (notifier.IsEnabled)
        {
            notifier.Notify(new ServiceState(state));
        }
    }
}
