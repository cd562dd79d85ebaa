using System.IO.Pipelines;
using CliWrap;

namespace PiStreaming.Processes;

/// <summary>
/// A program's stdout as a stream to read from: CliWrap's stdout pump copies the program's output
/// into a pipe, which holds about as much as the program's own pipe would (so a reader that falls
/// behind still holds the program back). The stream ends when the program's output ends or the
/// pump is stopped (the program was killed); disposing it stops the pump.
/// </summary>
internal sealed class OutputPipe
{
    private readonly Pipe pipe;
    private readonly int chunkSize;

    /// <param name="pipeBytes">how much the program's stdout pipe holds, and is read at a time (see <see cref="PipeCapacity"/>): a raw frame, for a camera.</param>
    public OutputPipe(int pipeBytes = PipeCapacity.Default)
    {
        chunkSize = pipeBytes;
        pipe = new Pipe(new PipeOptions(pauseWriterThreshold: chunkSize, resumeWriterThreshold: chunkSize / 2, minimumSegmentSize: chunkSize,
            useSynchronizationContext: false));
        Reader = pipe.Reader.AsStream();
    }

    public Stream Reader { get; }

    public PipeTarget Target => PipeTarget.Create(CopyFromAsync);

    private async Task CopyFromAsync(Stream source, CancellationToken cancellationToken)
    {
        var writer = pipe.Writer;
        Exception? failure = null;
        var chunk = PipeCapacity.TryGrow(source, chunkSize) ?? PipeCapacity.Default;
        try
        {
            while (true)
            {
                var read = await source.ReadAsync(writer.GetMemory(chunk), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                writer.Advance(read);
                if ((await writer.FlushAsync(cancellationToken)).IsCompleted)
                {
                    return; // the reader is gone
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Killed: what was read so far is still read, then the stream ends.
        }
        catch (IOException e)
        {
            failure = e;
        }
        finally
        {
            await writer.CompleteAsync(failure);
        }
    }
}
