using System.Threading.Channels;
using PiStreaming.Metrics;

namespace PiStreaming.Pipeline;

/// <summary>
/// The raw frames waiting for one encoder: a few at most. A live camera never waits for an encoder:
/// when the queue is full the oldest frame is dropped (and counted), so the encoder goes on with the
/// newest and a slow one stalls no one. A queue that <c>waits</c> instead holds the source back, for a
/// piped stream whose producer is paced by the pipe and would otherwise lose frames it meant to send.
/// A queue owns the frames added to it and disposes each once taken and used (or dropped).
/// </summary>
internal sealed class FrameQueue
{
    private readonly Channel<Frame> channel;
    private long dropped;

    /// <param name="counters">the encoder's counters, where dropped frames are counted too.</param>
    public FrameQueue(int capacity, bool waits, EncoderCounters? counters = null)
    {
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = waits ? BoundedChannelFullMode.Wait : BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        };
        channel = Channel.CreateBounded<Frame>(options, frame =>
        {
            Interlocked.Increment(ref dropped);
            counters?.FrameDropped();
            frame.Dispose();
        });
    }

    /// <summary>Frames dropped because the encoder fell behind.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Takes <paramref name="frame"/> in; waits only for a queue that waits, and only while it is full.</summary>
    public async ValueTask AddAsync(Frame frame, CancellationToken cancellationToken)
    {
        try
        {
            await channel.Writer.WriteAsync(frame, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            frame.Dispose();
            if (e is OperationCanceledException)
            {
                throw;
            }
        }
    }

    /// <summary>Copies <paramref name="frame"/> in (for a caller that reuses its buffer).</summary>
    /// <param name="readAt">when the frame arrived from the source (a <see cref="TimeProvider"/> timestamp).</param>
    public ValueTask AddAsync(ReadOnlyMemory<byte> frame, long readAt, CancellationToken cancellationToken) =>
        AddAsync(Frame.CopyOf(frame, readAt), cancellationToken);

    /// <summary>The next frame, or null once the source has ended (<see cref="Complete"/>).</summary>
    public async ValueTask<Frame?> TakeAsync(CancellationToken cancellationToken) =>
        await channel.Reader.WaitToReadAsync(cancellationToken) && channel.Reader.TryRead(out var frame) ? frame : null;

    /// <summary>No more frames will come; <see cref="TakeAsync"/> returns the ones waiting, then null.</summary>
    public void Complete() => channel.Writer.TryComplete();

    /// <summary>Drops whatever is waiting (the encoder is gone).</summary>
    public void Clear()
    {
        while (channel.Reader.TryRead(out var frame))
        {
            frame.Dispose();
        }
    }
}
