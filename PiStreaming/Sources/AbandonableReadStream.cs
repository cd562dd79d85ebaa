namespace PiStreaming.Sources;

/// <summary>
/// Wraps a stream whose reads block and ignore cancellation (a terminal): a cancelled read returns at
/// once and the read underneath is left to finish on its own, into a buffer nobody reads any more.
/// Only for stopping: after a cancelled read the stream is not to be read again.
/// </summary>
internal sealed class AbandonableReadStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        await inner.ReadAsync(buffer, CancellationToken.None).AsTask().WaitAsync(cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // The stream underneath is not disposed: a read may still be pending on it.
}
