namespace PiStreaming.Logging;

/// <summary>
/// At most one log line per <c>interval</c> about one kind of event, so a flood (thousands of refused
/// connections) cannot flood the log; the events in between are counted and reported with the next line.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider time)
{
    private readonly Lock gate = new();
    private long? lastLineAt;
    private int notLogged;

    /// <summary>Counts one event; true when a line about it may be logged now.</summary>
    /// <param name="notLoggedBefore">events since the last line that got no line of their own.</param>
    public bool TryLog(out int notLoggedBefore)
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            if (lastLineAt is { } last && time.GetElapsedTime(last, now) < interval)
            {
                notLogged++;
                notLoggedBefore = 0;
                return false;
            }

            lastLineAt = now;
            notLoggedBefore = notLogged;
            notLogged = 0;
            return true;
        }
    }

    /// <summary>"" or e.g. " (and 41 more since the last line)", for the end of a line.</summary>
    public static string More(int notLoggedBefore) => notLoggedBefore > 0 ? $" (and {notLoggedBefore} more since the last such line)" : "";
}
