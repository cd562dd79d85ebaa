using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace PiStreaming.Sources;

/// <summary>Raw I420 frames read back to back from a stream, e.g. standard input fed by a camera tool.</summary>
internal sealed class StreamFrameSource(string name, FrameLayout layout, Stream input, ILogger<StreamFrameSource> logger) : IFrameSource
{
    public string Name => name;

    public bool IsLive => false;

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = new FrameReader(input, layout);
        while (await reader.ReadAsync(cancellationToken) is { } frame)
        {
            yield return frame;
        }

        if (reader.TornFrameBytes > 0)
        {
            logger.LogWarning("{Source} ended inside a frame ({Bytes} of {FrameSize} bytes); dropped it", name, reader.TornFrameBytes, layout.StoredFrameSize);
        }

        logger.LogInformation("{Source} ended", name);
    }

    public ValueTask DisposeAsync() => input.DisposeAsync();
}
