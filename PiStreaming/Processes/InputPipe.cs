using CliWrap;

namespace PiStreaming.Processes;

/// <summary>
/// A program's stdin as a stream to write to. CliWrap opens the program's stdin pipe and hands it to
/// <see cref="Source"/>; writes then go straight into that pipe, one write call each, with no copy in
/// between (a raw frame costs one copy into the kernel, not a copy into a buffer and a pump's writes in
/// pieces). A write returns once the pipe has taken all of it and fails with an <see cref="IOException"/>
/// once the program no longer reads; disposing the stream ends the program's input.
/// </summary>
internal sealed class InputPipe
{
    private readonly TaskCompletionSource<Stream> opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int pipeBytes;

    /// <param name="pipeBytes">how much the program's stdin pipe holds (see <see cref="PipeCapacity"/>): a raw frame, for an encoder.</param>
    public InputPipe(int pipeBytes = PipeCapacity.Default)
    {
        this.pipeBytes = pipeBytes;
        Writer = new ProgramInput(this);
    }

    public Stream Writer { get; }

    public PipeSource Source => PipeSource.Create(HoldOpenAsync);

    // CliWrap's stdin pump: lends the program's stdin to the writer until the writer is disposed, or until
    // the program has exited (CliWrap then cancels the pump and closes the pipe).
    private async Task HoldOpenAsync(Stream destination, CancellationToken cancellationToken)
    {
        PipeCapacity.TryGrow(destination, pipeBytes);
        opened.TrySetResult(destination);
        try
        {
            await ended.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The program has exited or was killed.
        }
        finally
        {
            ended.TrySetResult();
        }
    }

    private static IOException NoLongerReads(Exception? inner = null) => new("the program no longer reads its input", inner);

    private sealed class ProgramInput(InputPipe pipe) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var destination = await pipe.opened.Task.WaitAsync(cancellationToken);
            if (pipe.ended.Task.IsCompleted)
            {
                throw NoLongerReads();
            }

            try
            {
                await destination.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // CliWrap closed the pipe under the write: the program has exited.
                throw NoLongerReads(e);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Each write goes into the pipe whole; there is nothing held back to flush.
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the program's input is written asynchronously");

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        // DisposeAsync comes here too (Stream's own DisposeAsync calls Dispose).
        protected override void Dispose(bool disposing)
        {
            pipe.ended.TrySetResult();
            base.Dispose(disposing);
        }
    }
}
