using System.Net.WebSockets;
using PiStreaming.Encoding;
using PiStreaming.Options;

namespace PiStreaming.Broadcasting;

/// <summary>
/// Hands every encoded picture to every connected viewer, one picture per WebSocket message. A new
/// viewer starts with the <see cref="JoinCache"/> and is live right after; a slow one skips ahead on its
/// own (<see cref="ViewerOutbox"/>); none of them ever makes <see cref="Publish"/> wait.
/// </summary>
public sealed class Broadcaster
{
    /// <summary>1013 "try again later": the server is full.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(1);

    private readonly byte[] header;
    private readonly LatencyMode latency;
    private readonly int maxViewers;
    private readonly int maxBacklogPictures;
    private readonly SlowViewerPolicy slowViewers;
    private readonly ViewerActivityLog activity;
    private readonly TimeProvider time;

    // The join cache and the viewer list change together under this lock, so a joining viewer gets
    // every picture exactly once: from the cache if it was published before, from Publish otherwise.
    private readonly Lock gate = new();
    private readonly JoinCache joinCache;
    private readonly List<Viewer> viewers = [];
    private Viewer[]? viewerSnapshot;
    private int nextViewerId;
    private bool closing;

    // Only the single publishing loop touches this.
    private int publishedPictures;

    // Skipped pictures of viewers that have left, for the running total.
    private long skippedByDeparted;

    /// <param name="picturesPerSecond">the stream's rate, to turn <paramref name="slowViewers"/>' backlog into pictures.</param>
    public Broadcaster(byte[] header, LatencyMode latency, int maxViewers, SlowViewerPolicy slowViewers, double picturesPerSecond,
        ViewerActivityLog activity, TimeProvider time)
    {
        this.header = header;
        this.latency = latency;
        this.maxViewers = maxViewers;
        maxBacklogPictures = slowViewers.MaxBacklogPictures(picturesPerSecond);
        this.slowViewers = slowViewers;
        this.activity = activity;
        this.time = time;
        // Half the backlog at most, so a viewer starting with the whole cache is far from skipping.
        joinCache = new JoinCache(Math.Max(1, maxBacklogPictures / 2));
    }

    public int ViewerCount
    {
        get
        {
            lock (gate)
            {
                return viewers.Count;
            }
        }
    }

    /// <summary>The jsmp header every viewer gets first.</summary>
    public ReadOnlyMemory<byte> Header => header;

    /// <summary>Pictures skipped for slow viewers since the start, those that left included.</summary>
    public long TotalSkippedPictures
    {
        get
        {
            lock (gate)
            {
                return skippedByDeparted + viewers.Sum(v => v.Outbox.SkippedPictures);
            }
        }
    }

    /// <summary>Serves one viewer until it leaves or the broadcaster closes; refuses it when full or closing.</summary>
    public async Task ServeAsync(WebSocket socket, string remoteAddress, CancellationToken cancellationToken)
    {
        var viewer = new Viewer(Interlocked.Increment(ref nextViewerId), remoteAddress, socket,
            new ViewerOutbox(maxBacklogPictures, slowViewers.GiveUpAfter, time), time);
        (WebSocketCloseStatus Status, string Reason)? refusal = null;
        int watching;
        lock (gate)
        {
            if (closing)
            {
                refusal = (WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
            }
            else if (viewers.Count >= maxViewers)
            {
                refusal = (TryAgainLater, $"server full ({maxViewers} viewers), try again later");
            }
            else
            {
                viewer.Outbox.Start(joinCache.Snapshot());
                viewers.Add(viewer);
                viewerSnapshot = null;
            }

            watching = viewers.Count;
        }

        if (refusal is var (status, reason))
        {
            activity.Refused(remoteAddress, status, reason);
            await RefuseAsync(socket, status, reason);
            return;
        }

        activity.Joined(viewer, watching);
        try
        {
            await viewer.RunAsync(header, cancellationToken);
        }
        finally
        {
            lock (gate)
            {
                viewers.Remove(viewer);
                viewerSnapshot = null;
                skippedByDeparted += viewer.Outbox.SkippedPictures;
                watching = viewers.Count;
            }

            activity.Left(viewer, watching);
        }
    }

    /// <summary>Queues a picture for every viewer; never waits for any of them. Called by one publishing loop only.</summary>
    public void Publish(EncodedPicture encoded)
    {
        var picture = FramedPicture.Create(encoded, latency);
        Viewer[] targets;
        lock (gate)
        {
            joinCache.Add(picture);
            targets = viewerSnapshot ??= [.. viewers];
        }

        // Each picture starts the round at a different viewer: with a thousand viewers the last one
        // offered waits for all the others' sends, and rotating shares that wait out evenly.
        var first = targets.Length == 0 ? 0 : (int)(unchecked((uint)publishedPictures++) % (uint)targets.Length);
        for (var i = 0; i < targets.Length; i++)
        {
            var viewer = targets[(first + i) % targets.Length];
            switch (viewer.Offer(picture))
            {
                case OfferOutcome.StartedSkipping:
                    activity.StartedSkipping(viewer);
                    break;
                case OfferOutcome.GaveUp:
                    activity.GaveUp(viewer);
                    break;
            }
        }
    }

    /// <summary>
    /// Refuses new viewers from now on, asks every viewer to close, and waits up to
    /// <paramref name="timeout"/>; each viewer aborts its own socket if its close takes too long.
    /// </summary>
    public async Task CloseAllAsync(TimeSpan timeout)
    {
        Viewer[] closingViewers;
        lock (gate)
        {
            closing = true;
            closingViewers = [.. viewers];
        }

        foreach (var viewer in closingViewers)
        {
            viewer.Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }

        try
        {
            await Task.WhenAll(closingViewers.Select(v => v.Finished)).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
        }
    }

    private static async Task RefuseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        using var timeout = new CancellationTokenSource(RefusalTimeout);
        try
        {
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client did not answer the close in time or vanished; the connection ends anyway.
        }
    }
}
