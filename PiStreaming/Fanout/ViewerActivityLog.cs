using Microsoft.Extensions.Logging;

namespace PiStreaming.Fanout;

/// <summary>
/// Logs viewers coming, going, falling behind and being refused, without letting a crowd flood the
/// log: per-viewer lines are limited to a few per second (a thousand viewers connecting at once would
/// otherwise fill the console queue and make the callers wait, the publishing loop included), and a
/// summary line with the counts follows every <c>interval</c> in which anything happened.
/// </summary>
internal sealed class ViewerActivityLog(ILogger logger, TimeProvider time)
{
    private const double LinesPerSecond = 5;
    private const double LineBurst = 20;

    private readonly Lock gate = new();
    private double lineTokens = LineBurst;
    private long tokensCountedAt = time.GetTimestamp();
    private Counts counts;
    private int watching;
    private int peak;

    public void Joined(Viewer viewer, int watchingNow)
    {
        if (Record(ref counts.Joined, watchingNow))
        {
            logger.LogInformation("viewer {Id} connected from {Address} to {Output} ({Count} watching)", viewer.Id, viewer.RemoteAddress, viewer.Output, watchingNow);
        }
    }

    public void Left(Viewer viewer, int watchingNow)
    {
        if (Record(ref counts.Left, watchingNow))
        {
            var skipped = viewer.SkippedPictures;
            logger.LogInformation("viewer {Id} left after {Duration:0} s ({Count} watching{Skipped})", viewer.Id,
                time.GetElapsedTime(viewer.ConnectedAt).TotalSeconds, watchingNow, skipped > 0 ? $"; {skipped} pictures skipped for it" : "");
        }
    }

    public void Refused(string remoteAddress, string output, string reason)
    {
        if (Record(ref counts.Refused))
        {
            logger.LogWarning("refused a viewer from {Address} for {Output}: {Reason}", remoteAddress, output, reason);
        }
    }

    /// <summary>Called on the publishing loop; only counts unless a line is allowed.</summary>
    public void StartedSkipping(Viewer viewer)
    {
        if (Record(ref counts.StartedSkipping))
        {
            logger.LogInformation("viewer {Id} ({Address}) cannot keep up: skipping ahead to the next I picture", viewer.Id, viewer.RemoteAddress);
        }
    }

    /// <summary>Called on the publishing loop; only counts unless a line is allowed.</summary>
    public void GaveUp(Viewer viewer)
    {
        if (Record(ref counts.GaveUp))
        {
            logger.LogWarning("viewer {Id} ({Address}) stayed behind too long: closing it", viewer.Id, viewer.RemoteAddress);
        }
    }

    /// <summary>Logs a summary every <paramref name="interval"/> in which anything happened, until cancelled.</summary>
    public async Task RunSummariesAsync(TimeSpan interval, Func<long> totalSkippedPictures, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        var skippedBefore = totalSkippedPictures();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var skipped = totalSkippedPictures();
                LogSummary(interval, skipped - skippedBefore);
                skippedBefore = skipped;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One summary line now, if anything happened since the last one.</summary>
    public void LogSummary(TimeSpan interval, long skippedPictures)
    {
        Counts last;
        int watchingNow, peakNow;
        lock (gate)
        {
            last = counts;
            counts = default;
            watchingNow = watching;
            peakNow = peak;
            peak = watching;
        }

        if (!last.Any && skippedPictures == 0)
        {
            return;
        }

        logger.LogInformation(
            "viewers: {Watching} watching (peak {Peak}); last {Interval:0} s: {Joined} joined, {Left} left, {Refused} refused, "
            + "{Behind} fell behind, {GaveUp} closed as too slow, {Skipped} pictures skipped{Hidden}",
            watchingNow, peakNow, interval.TotalSeconds, last.Joined, last.Left, last.Refused, last.StartedSkipping, last.GaveUp, skippedPictures,
            last.LinesNotShown > 0 ? $" ({last.LinesNotShown} per-viewer lines not shown)" : "");
    }

    /// <summary>Counts one event; true when a line about it may be logged.</summary>
    private bool Record(ref int counter, int? watchingNow = null)
    {
        lock (gate)
        {
            counter++;
            if (watchingNow is { } now)
            {
                watching = now;
                peak = Math.Max(peak, now);
            }

            var timestamp = time.GetTimestamp();
            lineTokens = Math.Min(LineBurst, lineTokens + time.GetElapsedTime(tokensCountedAt, timestamp).TotalSeconds * LinesPerSecond);
            tokensCountedAt = timestamp;
            if (lineTokens >= 1)
            {
                lineTokens--;
                return true;
            }

            counts.LinesNotShown++;
            return false;
        }
    }

    private struct Counts
    {
        public int Joined, Left, Refused, StartedSkipping, GaveUp, LinesNotShown;

        public readonly bool Any => (Joined | Left | Refused | StartedSkipping | GaveUp) != 0;
    }
}
