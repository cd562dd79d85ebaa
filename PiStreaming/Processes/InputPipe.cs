using System.IO.Pipelines;
using CliWrap;

namespace PiStreaming.Processes;

/// <summary>
/// A program's stdin as a stream to write to: what is written goes through a pipe that CliWrap's
/// stdin pump copies into the program. A write returns once the program's stdin pipe has taken all
/// of it (as a write to the program's own pipe would), and fails with an <see cref="IOException"/>
/// once the program no longer reads; disposing the stream ends the program's input.
/// </summary>
internal sealed class InputPipe
{
    // Nothing waits in between: a write completes only when every byte is in the program's pipe.
    private readonly Pipe pipe = new(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, minimumSegmentSize: 64 * 1024,
        useSynchronizationContext: false));

    private readonly int pipeBytes;

    /// <param name="pipeBytes">how much the program's stdin pipe holds (see <see cref="PipeCapacity"/>): a raw frame, for an encoder.</param>
    public InputPipe(int pipeBytes = PipeCapacity.Default)
    {
        this.pipeBytes = pipeBytes;
        Writer = pipe.Writer.AsStream();
    }

    public Stream Writer { get; }

    public PipeSource Source => PipeSource.Create(CopyToAsync);

    private async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        var reader = pipe.Reader;
        PipeCapacity.TryGrow(destination, pipeBytes);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    await destination.WriteAsync(segment, cancellationToken);
                }

                await destination.FlushAsync(cancellationToken);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    await reader.CompleteAsync();
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The program has exited or closed its stdin (broken pipe), or it was killed: the next write says so.
            await reader.CompleteAsync(new IOException("the program no longer reads its input", e));
        }
    }
}
