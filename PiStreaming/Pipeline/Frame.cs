using System.Buffers;

namespace PiStreaming.Pipeline;

/// <summary>
/// One raw frame in a buffer rented from the shared pool. Every encoder's queue gets the same buffer,
/// each through a <see cref="Frame"/> of its own (<see cref="Share"/>) that it disposes when done; the
/// buffer goes back to the pool when the last one is disposed.
/// </summary>
internal sealed class Frame : IDisposable
{
    private readonly PooledBuffer buffer;
    private int disposed;

    private Frame(PooledBuffer buffer, long readAt)
    {
        this.buffer = buffer;
        ReadAt = readAt;
    }

    /// <summary>When the frame arrived from the source (a <see cref="TimeProvider"/> timestamp).</summary>
    public long ReadAt { get; }

    public ReadOnlyMemory<byte> Memory => Volatile.Read(ref disposed) == 0 ? buffer.Memory : throw new ObjectDisposedException(nameof(Frame));

    public static Frame CopyOf(ReadOnlyMemory<byte> frame, long readAt)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(bytes);
        return new Frame(new PooledBuffer(bytes, frame.Length), readAt);
    }

    /// <summary>The same frame for another holder, who disposes it independently of this one.</summary>
    public Frame Share()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        buffer.AddHolder();
        return new Frame(buffer, ReadAt);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            buffer.RemoveHolder();
        }
    }

    private sealed class PooledBuffer(byte[] bytes, int length)
    {
        private int holders = 1;

        public ReadOnlyMemory<byte> Memory => bytes.AsMemory(0, length);

        public void AddHolder() => Interlocked.Increment(ref holders);

        public void RemoveHolder()
        {
            if (Interlocked.Decrement(ref holders) == 0)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }
}
