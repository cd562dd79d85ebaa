namespace PiStreaming.Fanout;

/// <summary>
/// The newest encoded picture of an output where every picture stands alone (JPEG): no queue per
/// viewer, a viewer simply takes the newest one when it is ready for the next, so a slow viewer
/// gets fewer pictures, never older ones.
/// </summary>
internal sealed class LatestPicture(TimeProvider time)
{
    private readonly Lock gate = new();
    private Picture? current;
    private TaskCompletionSource<Picture> next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="Number">counts up from 1 with every picture published.</param>
    /// <param name="At">when it was published, as a <see cref="TimeProvider"/> timestamp.</param>
    /// <param name="FrameReadAt">when its camera frame arrived, as a <see cref="TimeProvider"/> timestamp; 0 when unknown.</param>
    public sealed record Picture(ReadOnlyMemory<byte> Data, long Number, long At, long FrameReadAt = 0);

    /// <summary>The newest picture, null before the first.</summary>
    public Picture? Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    public void Publish(ReadOnlyMemory<byte> data, long frameReadAt = 0)
    {
        TaskCompletionSource<Picture> waiting;
        Picture picture;
        lock (gate)
        {
            picture = new Picture(data, (current?.Number ?? 0) + 1, time.GetTimestamp(), frameReadAt);
            current = picture;
            waiting = next;
            next = new TaskCompletionSource<Picture>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        waiting.SetResult(picture);
    }

    /// <summary>The newest picture if it is newer than number <paramref name="after"/>, otherwise the next one published.</summary>
    public Task<Picture> NextAsync(long after, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return current is { } newest && newest.Number > after ? Task.FromResult(newest) : next.Task.WaitAsync(cancellationToken);
        }
    }
}
