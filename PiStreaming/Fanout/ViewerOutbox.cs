using System.Threading.Channels;
using PiStreaming.Encoding;

namespace PiStreaming.Fanout;

/// <summary>What <see cref="ViewerOutbox.Offer"/> did with a picture.</summary>
internal enum OfferOutcome
{
    /// <summary>Queued for the viewer.</summary>
    Queued,

    /// <summary>Not for this viewer: it has not started yet, or is waiting for an I picture after skipping.</summary>
    Passed,

    /// <summary>The backlog overflowed just now: it was dropped and the viewer waits for the next I picture.</summary>
    StartedSkipping,

    /// <summary>The viewer stayed behind for <see cref="SlowViewerPolicy.GiveUpAfter"/>; the outbox takes no more pictures and must be closed.</summary>
    GaveUp,
}

/// <summary>
/// The pictures waiting for one viewer, and the slow-viewer policy that bounds them. Offering never
/// waits: the publishing loop calls <see cref="Offer"/> for every viewer in turn.
/// <para>
/// A viewer starts at a join point. When its backlog reaches <c>maxBacklog</c> pictures, the backlog
/// is dropped and it skips ahead to the next I picture (nothing between can be decoded without the
/// dropped pictures), so it is live again instead of seconds late. It has caught up once its send
/// loop finds the outbox empty after resuming; a viewer that does not catch up within
/// <see cref="SlowViewerPolicy.GiveUpAfter"/> of starting to skip is given up on.
/// </para>
/// </summary>
internal sealed class ViewerOutbox
{
    private const long NotBehind = -1;

    private readonly Channel<OutgoingPicture> queue = Channel.CreateUnbounded<OutgoingPicture>(new UnboundedChannelOptions
    {
        // Besides the send loop, the publishing loop reads (to drop the backlog when skipping ahead) and
        // whoever closes the viewer completes and empties it.
        SingleReader = false,
        SingleWriter = false,
    });

    private readonly int maxBacklog;
    private readonly TimeSpan giveUpAfter;
    private readonly TimeProvider time;

    // Only the publishing loop touches these (and Start, before the viewer is visible to that loop).
    private Resume waitingFor = Resume.AtJoinPoint;
    private long behindSince = NotBehind;
    private long resumedAt;

    // Written by the send loop, read by the publishing loop.
    private long lastFoundEmptyAt;
    private long skippedPictures;
    private volatile bool closed;

    public ViewerOutbox(int maxBacklog, TimeSpan giveUpAfter, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBacklog, 1);
        this.maxBacklog = maxBacklog;
        this.giveUpAfter = giveUpAfter;
        this.time = time;
    }

    /// <summary>Where the viewer's stream can go on after a gap.</summary>
    private enum Resume
    {
        /// <summary>No gap: the next picture follows on.</summary>
        Anywhere,

        /// <summary>Dropped pictures after the stream started: any I picture will do, sent as its usual message.</summary>
        AtIntraPicture,

        /// <summary>The stream has not started (or its start was dropped unsent): an I picture with sequence header, sent whole.</summary>
        AtJoinPoint,
    }

    /// <summary>Pictures this viewer did not get because it was behind.</summary>
    public long SkippedPictures => Interlocked.Read(ref skippedPictures);

    /// <summary>Pictures waiting to be sent.</summary>
    public int Count => queue.Reader.Count;

    /// <summary>
    /// Queues the join cache for a viewer that has just connected: the join point whole, then the
    /// pictures after it. Without a join point the viewer starts at the next one <see cref="Offer"/> sees.
    /// </summary>
    public void Start(IReadOnlyList<FramedPicture> joinCache)
    {
        if (waitingFor != Resume.AtJoinPoint || joinCache.Count == 0 || !joinCache[0].IsJoinPoint)
        {
            return;
        }

        waitingFor = Resume.Anywhere;
        queue.Writer.TryWrite(new OutgoingPicture(joinCache[0], StartsStream: true));
        foreach (var picture in joinCache.Skip(1))
        {
            queue.Writer.TryWrite(new OutgoingPicture(picture, StartsStream: false));
        }
    }

    /// <summary>Queues a picture, skips it, or gives up on the viewer; never waits.</summary>
    public OfferOutcome Offer(FramedPicture picture)
    {
        if (closed)
        {
            return OfferOutcome.Passed;
        }

        var outcome = OfferOutcome.Queued;
        if (behindSince != NotBehind)
        {
            if (waitingFor == Resume.Anywhere && Volatile.Read(ref lastFoundEmptyAt) > resumedAt)
            {
                behindSince = NotBehind;
            }
            else if (time.GetElapsedTime(behindSince) >= giveUpAfter)
            {
                closed = true; // the broadcaster closes it, once the viewer knows why
                return OfferOutcome.GaveUp;
            }
        }

        if (queue.Reader.Count >= maxBacklog)
        {
            DropBacklog();
            if (behindSince == NotBehind)
            {
                behindSince = time.GetTimestamp();
                outcome = OfferOutcome.StartedSkipping;
            }
        }

        var canGoOn = waitingFor switch
        {
            Resume.AtIntraPicture => picture.Picture.Type == PictureType.I,
            Resume.AtJoinPoint => picture.IsJoinPoint,
            _ => true,
        };
        if (!canGoOn)
        {
            if (behindSince != NotBehind)
            {
                Interlocked.Increment(ref skippedPictures);
            }

            return outcome == OfferOutcome.StartedSkipping ? outcome : OfferOutcome.Passed;
        }

        queue.Writer.TryWrite(new OutgoingPicture(picture, StartsStream: waitingFor == Resume.AtJoinPoint));
        if (waitingFor != Resume.Anywhere)
        {
            waitingFor = Resume.Anywhere;
            // Stamped after the write: an empty outbox seen later than this was empty after this picture was taken.
            resumedAt = time.GetTimestamp();
        }

        return outcome;
    }

    // Everything queued is already old: drop it, and go on live from the next picture that allows it.
    private void DropBacklog()
    {
        var droppedStreamStart = false;
        while (queue.Reader.TryRead(out var dropped))
        {
            droppedStreamStart |= dropped.StartsStream;
            Interlocked.Increment(ref skippedPictures);
        }

        // The send loop may hold a picture taken just now; any I picture can follow it, unless the
        // stream's first picture (with its sequence header) never left.
        waitingFor = droppedStreamStart || waitingFor == Resume.AtJoinPoint ? Resume.AtJoinPoint : Resume.AtIntraPicture;
    }

    /// <summary>For the send loop: the next picture, if one is waiting.</summary>
    public bool TryTake(out OutgoingPicture picture)
    {
        // Stamped before looking, so "found empty at" never postdates a picture written meanwhile.
        var now = time.GetTimestamp();
        if (queue.Reader.TryRead(out picture))
        {
            return true;
        }

        Volatile.Write(ref lastFoundEmptyAt, now);
        return false;
    }

    /// <summary>
    /// For the send loop: waits until a picture is waiting (true) or the outbox is closed (false). Without a
    /// token that can cancel, the channel reuses one waiter for every picture instead of allocating one.
    /// </summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => queue.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Drops whatever is still waiting and takes no more pictures.</summary>
    public void Close()
    {
        closed = true;
        queue.Writer.TryComplete();
        while (queue.Reader.TryRead(out _))
        {
        }
    }
}
