namespace PiStreaming.Sources;

/// <summary>Waits between retries: 1 s, then doubling up to 10 s; back to 1 s once things work again.</summary>
public sealed class RetryBackoff
{
    public static readonly TimeSpan DefaultFirst = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultMax = TimeSpan.FromSeconds(10);

    private readonly TimeSpan first;
    private readonly TimeSpan max;
    private TimeSpan next;

    public RetryBackoff(TimeSpan first, TimeSpan max)
    {
        this.first = first;
        this.max = max;
        next = first;
    }

    public RetryBackoff()
        : this(DefaultFirst, DefaultMax)
    {
    }

    /// <summary>The delay before the next attempt; each call doubles the one after it.</summary>
    public TimeSpan Next()
    {
        var delay = next;
        next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, max.Ticks));
        return delay;
    }

    public void Reset() => next = first;
}
