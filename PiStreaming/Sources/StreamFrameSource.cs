using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace PiStreaming.Sources;

/// <summary>Raw I420 frames read back to back from a stream, e.g. standard input fed by a camera tool.</summary>
public sealed class StreamFrameSource(string name, FrameFormat format, Stream input, ILogger<StreamFrameSource> logger) : IFrameSource
{
    public string Name => name;

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frame = new byte[format.FrameSize];
        while (true)
        {
            var filled = await input.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, cancellationToken);
            if (filled < frame.Length)
            {
                if (filled > 0)
                {
                    logger.LogWarning("{Source} ended inside a frame ({Bytes} of {FrameSize} bytes); dropped it", name, filled, frame.Length);
                }

                logger.LogInformation("{Source} ended", name);
                yield break;
            }

            yield return frame;
        }
    }

    public ValueTask DisposeAsync() => input.DisposeAsync();
}
