using PiStreaming.Sources;

namespace PiStreaming.Pipeline;

/// <summary>
/// Reads the one frame source and hands every frame to the queue of each encoder that runs now. The
/// main encoder's queue is there for the whole run; the others come and go with their viewers.
/// </summary>
internal sealed class FrameDistributor(IFrameSource source, FrameQueue main, TimeProvider time)
{
    private readonly Lock gate = new();
    private FrameQueue[] others = [];
    private long lastFrameAt;

    /// <summary>When the latest frame arrived (a <see cref="TimeProvider"/> timestamp), 0 before the first.</summary>
    public long LastFrameAt => Interlocked.Read(ref lastFrameAt);

    public void Attach(FrameQueue queue)
    {
        lock (gate)
        {
            others = [.. others, queue];
        }
    }

    public void Detach(FrameQueue queue)
    {
        lock (gate)
        {
            others = [.. others.Where(q => q != queue)];
        }
    }

    /// <summary>Runs until the source ends (every queue is then completed) or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var bytes in source.ReadFramesAsync(cancellationToken).WithCancellation(cancellationToken))
            {
                var readAt = time.GetTimestamp();
                Interlocked.Exchange(ref lastFrameAt, readAt);
                // One copy (the source reuses its buffer), shared by every encoder.
                using var frame = Frame.CopyOf(bytes, readAt);
                await main.AddAsync(frame.Share(), cancellationToken);
                foreach (var queue in Volatile.Read(ref others))
                {
                    await queue.AddAsync(frame.Share(), cancellationToken); // never waits: these queues drop
                }
            }
        }
        finally
        {
            main.Complete();
            lock (gate)
            {
                foreach (var queue in others)
                {
                    queue.Complete();
                }
            }
        }
    }
}
