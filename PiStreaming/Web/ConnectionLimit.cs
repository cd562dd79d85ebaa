using PiStreaming.Logging;

namespace PiStreaming.Web;

/// <summary>
/// Caps the connections open on both ports together, below what the file-descriptor limit allows.
/// Past it, <see cref="LimitedConnectionListener"/> resets a new connection the moment it is accepted,
/// before anything else is set up for it, and one log line in ten seconds says so. Without it, a
/// flood of idle connections used up the descriptors and the runtime aborted, taking every viewer with it.
/// </summary>
internal sealed class ConnectionLimit(int limit, ILogger logger, TimeProvider time)
{
    /// <summary>
    /// Descriptors kept free beyond those open at start, for what opens later: assemblies loaded on first
    /// use, the pipes of restarted encoders and cameras, files.
    /// </summary>
    public const int SpareDescriptors = 128;

    /// <summary>Connections allowed beyond --max-viewers: page loads, handshakes under way, viewers being refused.</summary>
    public const int NonViewerHeadroom = 512;

    private readonly LogThrottle refusals = new(TimeSpan.FromSeconds(10), time);
    private int open;

    public int Limit => limit;

    /// <summary>The limit for a process serving up to <paramref name="maxViewers"/> viewers.</summary>
    /// <param name="descriptorLimit">the process's soft limit on open descriptors.</param>
    /// <param name="descriptorsInUse">descriptors open before any connection.</param>
    public static int For(long descriptorLimit, int descriptorsInUse, int maxViewers) =>
        (int)Math.Clamp(Math.Min(descriptorLimit - descriptorsInUse - SpareDescriptors, (long)maxViewers + NonViewerHeadroom), 8, int.MaxValue);

    /// <summary>Takes a place for a new connection; false (and perhaps a log line) when there is none.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref open) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref open);
        if (refusals.TryLog(out var more))
        {
            logger.LogWarning("refusing new connections: {Limit} are open, the most this server holds{More}", limit, LogThrottle.More(more));
        }

        return false;
    }

    /// <summary>Gives back the place of a connection that has ended.</summary>
    public void Leave() => Interlocked.Decrement(ref open);
}
