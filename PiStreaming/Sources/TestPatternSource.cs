using System.Runtime.CompilerServices;

namespace PiStreaming.Sources;

/// <summary>
/// The default camera: a generated moving picture, paced at the configured frame rate. Each frame is
/// stamped with the wall-clock time it was painted, which is when it is handed to the encoder.
/// </summary>
internal sealed class TestPatternSource(FrameFormat format, double framesPerSecond, TimeProvider? clock = null) : IFrameSource
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private readonly TestPatternPainter painter = new(format);

    public string Name => "test pattern";

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var frame = new byte[format.FrameSize];
        var interval = TimeSpan.FromSeconds(1 / framesPerSecond);
        // An absolute schedule: timers tick in whole milliseconds, and waiting 41 ms per frame would
        // make "24 fps" 24.4. Like a camera, a source that fell behind skips ahead instead of bursting.
        var started = clock.GetTimestamp();
        var due = TimeSpan.Zero;
        for (long number = 0; ; number++)
        {
            painter.Paint(frame, number, clock.GetUtcNow().ToUnixTimeMilliseconds());
            yield return frame;

            due += interval;
            var wait = due - clock.GetElapsedTime(started);
            if (wait < -interval)
            {
                due = clock.GetElapsedTime(started);
                wait = TimeSpan.Zero;
            }

            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
