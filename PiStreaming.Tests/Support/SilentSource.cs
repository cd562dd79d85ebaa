using System.Runtime.CompilerServices;
using PiStreaming.Sources;

namespace PiStreaming.Tests.Support;

/// <summary>A camera that is down: it delivers no frames until stopped.</summary>
internal sealed class SilentSource : IFrameSource
{
    public string Name => "silent camera";

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        yield break;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
