using System.Net.Sockets;

namespace PiStreaming.Sources;

/// <summary>
/// Standard input as a stream whose reads a stop can cancel. Console's own stream blocks in read(2),
/// which nothing can interrupt: a silent producer (<c>sleep 60 | PiStreaming --source stdin</c>) would
/// hold up every stop.
/// </summary>
public static class StandardInput
{
    public static Stream Open()
    {
        if (IsPipeOrSocket())
        {
            // The usual case, a camera tool piped in (or a socket from a service manager): read it like
            // a socket, so a pending read waits in the runtime's epoll loop and ends at once when cancelled.
            return new SocketReadStream(new Socket(new SafeSocketHandle(0, ownsHandle: false)));
        }

        // A terminal, a file or a device: their reads cannot be interrupted, so a cancelled read is left behind.
        return new AbandonableReadStream(Console.OpenStandardInput());
    }

    // Linux names what fd 0 is: "pipe:[1234]", "socket:[5678]", or a path for files, terminals and devices.
    private static bool IsPipeOrSocket() =>
        new FileInfo("/proc/self/fd/0").LinkTarget is { } target && (target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("socket:", StringComparison.Ordinal));
}
