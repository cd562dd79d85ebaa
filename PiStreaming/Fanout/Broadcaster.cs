using PiStreaming.Encoding;
using PiStreaming.Metrics;
using PiStreaming.Options;

namespace PiStreaming.Fanout;

/// <summary>
/// Hands every encoded picture to every viewer of one video stream (MPEG-1, or H.264), whatever carries it to them. A
/// new viewer starts with the <see cref="JoinCache"/> and is live right after; a slow one skips ahead
/// on its own (<see cref="ViewerOutbox"/>); none of them ever makes <see cref="Publish"/> wait.
/// </summary>
internal sealed class Broadcaster
{
    private readonly Func<EncodedPicture, FramedPicture> framing;
    private readonly int maxBacklogPictures;
    private readonly TimeSpan giveUpAfter;
    private readonly ViewerActivityLog activity;
    private readonly ServerMetrics metrics;
    private readonly TimeProvider time;

    // The join cache and the viewer list change together under this lock, so a joining viewer gets
    // every picture exactly once: from the cache if it was published before, from Publish otherwise.
    private readonly Lock gate = new();
    private readonly JoinCache joinCache;
    private readonly List<(Viewer Viewer, ViewerOutbox Outbox)> watchers = [];
    private (Viewer Viewer, ViewerOutbox Outbox)[]? snapshot;
    private FrameFormat format;

    // Only the single publishing loop touches this.
    private int publishedPictures;

    // Skipped pictures of viewers that have left, for the running total.
    private long skippedByDeparted;

    /// <param name="format">the pictures' size, which every viewer is told first.</param>
    /// <param name="picturesPerSecond">the stream's rate, to turn <paramref name="slowViewers"/>' backlog into pictures.</param>
    public Broadcaster(FrameFormat format, LatencyMode latency, SlowViewerPolicy slowViewers, double picturesPerSecond, ViewerActivityLog activity,
        ServerMetrics metrics, TimeProvider time)
        : this(format, picture => FramedPicture.Create(picture, latency), slowViewers, picturesPerSecond, activity, metrics, time)
    {
    }

    /// <param name="framing">turns an encoded picture into the messages viewers get.</param>
    private Broadcaster(FrameFormat format, Func<EncodedPicture, FramedPicture> framing, SlowViewerPolicy slowViewers, double picturesPerSecond,
        ViewerActivityLog activity, ServerMetrics metrics, TimeProvider time)
    {
        this.format = format;
        this.framing = framing;
        this.metrics = metrics;
        maxBacklogPictures = slowViewers.MaxBacklogPictures(picturesPerSecond);
        giveUpAfter = slowViewers.GiveUpAfter;
        this.activity = activity;
        this.time = time;
        // Half the backlog at most, so a viewer starting with the whole cache is far from skipping.
        JoinCachePictures = Math.Max(1, maxBacklogPictures / 2);
        joinCache = new JoinCache(JoinCachePictures);
    }

    /// <summary>
    /// The longest run of pictures from a join point that a new viewer is given at once; a stream whose join
    /// points are further apart makes a new viewer wait for the next one.
    /// </summary>
    public int JoinCachePictures { get; }

    /// <summary>For the H.264 stream: one access unit per message, whatever the latency mode.</summary>
    public static Broadcaster ForH264(FrameFormat format, SlowViewerPolicy slowViewers, double picturesPerSecond, ViewerActivityLog activity,
        ServerMetrics metrics, TimeProvider time) =>
        new(format, FramedPicture.Whole, slowViewers, picturesPerSecond, activity, metrics, time);

    /// <summary>Pictures skipped for slow viewers since the start, those that left included.</summary>
    public long TotalSkippedPictures
    {
        get
        {
            lock (gate)
            {
                return skippedByDeparted + watchers.Sum(w => w.Outbox.SkippedPictures);
            }
        }
    }

    /// <summary>The pictures' size now.</summary>
    public FrameFormat Format
    {
        get
        {
            lock (gate)
            {
                return format;
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="viewer"/> an outbox that starts with the join cache and receives every
    /// picture published until <paramref name="send"/>, which carries them to the viewer, returns.
    /// </summary>
    public Task WatchAsync(Viewer viewer, Func<ViewerOutbox, Task> send) => WatchAsync(viewer, (outbox, _) => send(outbox));

    /// <summary>As <see cref="WatchAsync(Viewer, Func{ViewerOutbox, Task})"/>; <paramref name="send"/> also gets the size of the pictures in the outbox.</summary>
    public async Task WatchAsync(Viewer viewer, Func<ViewerOutbox, FrameFormat, Task> send)
    {
        var outbox = new ViewerOutbox(maxBacklogPictures, giveUpAfter, time);
        FrameFormat size;
        lock (gate)
        {
            outbox.Start(joinCache.Snapshot());
            watchers.Add((viewer, outbox));
            snapshot = null;
            size = format;
        }

        try
        {
            await send(outbox, size);
        }
        finally
        {
            outbox.Close();
            lock (gate)
            {
                watchers.RemoveAll(w => w.Viewer == viewer);
                snapshot = null;
                skippedByDeparted += outbox.SkippedPictures;
            }

            viewer.SkippedPictures = outbox.SkippedPictures;
        }
    }

    /// <summary>
    /// The stream now has pictures of another size (a relay's origin restarted with another --width):
    /// the join cache is dropped and every viewer is asked to close, so it comes back for the new size.
    /// </summary>
    public void ChangeFormat(FrameFormat newFormat)
    {
        (Viewer Viewer, ViewerOutbox Outbox)[] targets;
        lock (gate)
        {
            format = newFormat;
            joinCache.Clear();
            targets = [.. watchers];
        }

        foreach (var (viewer, outbox) in targets)
        {
            viewer.RequestClose(ViewerCloseReason.StreamChanged);
            outbox.Close();
        }
    }

    /// <summary>Queues a picture for every viewer; never waits for any of them. Called by one publishing loop only.</summary>
    public void Publish(EncodedPicture encoded)
    {
        var picture = framing(encoded);
        (Viewer Viewer, ViewerOutbox Outbox)[] targets;
        lock (gate)
        {
            joinCache.Add(picture);
            targets = snapshot ??= [.. watchers];
        }

        // Each picture starts the round at a different viewer: with a thousand viewers the last one
        // offered waits for all the others' sends, and rotating shares that wait out evenly.
        var first = targets.Length == 0 ? 0 : (int)(unchecked((uint)publishedPictures++) % (uint)targets.Length);
        for (var i = 0; i < targets.Length; i++)
        {
            var (viewer, outbox) = targets[(first + i) % targets.Length];
            switch (outbox.Offer(picture))
            {
                case OfferOutcome.StartedSkipping:
                    activity.StartedSkipping(viewer);
                    break;
                case OfferOutcome.GaveUp:
                    metrics.ViewerClosedTooSlow();
                    activity.GaveUp(viewer);
                    viewer.RequestClose(ViewerCloseReason.TooSlow);
                    outbox.Close();
                    break;
            }
        }
    }
}
