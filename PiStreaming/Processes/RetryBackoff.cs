namespace PiStreaming.Processes;

/// <summary>
/// When to try a failed helper program (camera tool, encoder) again: 1 s, 2 s, 4 s, 8 s, then every
/// 10 s; back to 1 s once an attempt has worked for a minute, so a program that fails now and then
/// is restarted quickly while one that keeps failing costs little.
/// </summary>
internal sealed class RetryBackoff(TimeProvider time)
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    /// <summary>How long an attempt must have worked before its failure starts the sequence over.</summary>
    public static readonly TimeSpan HealthyFor = TimeSpan.FromMinutes(1);

    private TimeSpan next = First;
    private long? workingSince;

    /// <summary>The current attempt works (the camera sent a frame, the encoder a picture).</summary>
    public void Working() => workingSince ??= time.GetTimestamp();

    /// <summary>The delay before the next attempt after a failure; each call doubles the one after it.</summary>
    public TimeSpan Next()
    {
        if (workingSince is { } since && time.GetElapsedTime(since) >= HealthyFor)
        {
            next = First;
        }

        workingSince = null;
        var delay = next;
        next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, Max.Ticks));
        return delay;
    }

    /// <summary>After a failure: takes the <see cref="Next"/> delay, reports the failure with it and waits it out.</summary>
    /// <returns>false when <paramref name="cancellationToken"/> fired (the failure was the stop itself): stop instead of retrying.</returns>
    public async Task<bool> WaitAfterFailureAsync(Action<TimeSpan> report, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var delay = Next();
        report(delay);
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
