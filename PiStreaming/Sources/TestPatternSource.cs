using System.Runtime.CompilerServices;

namespace PiStreaming.Sources;

/// <summary>
/// The default camera: a generated moving picture, paced at the configured frame rate. Each frame is
/// stamped with the wall-clock time it was painted, which is when it is handed to the encoder.
/// </summary>
public sealed class TestPatternSource(FrameFormat format, double framesPerSecond, TimeProvider? clock = null) : IFrameSource
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private readonly TestPatternPainter painter = new(format);

    public string Name => "test pattern";

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frame = new byte[format.FrameSize];
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / framesPerSecond));
        for (long number = 0; ; number++)
        {
            painter.Paint(frame, number, clock.GetUtcNow().ToUnixTimeMilliseconds());
            yield return frame;

            if (!await WaitAsync(timer, cancellationToken))
            {
                yield break;
            }
        }
    }

    private static async ValueTask<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
