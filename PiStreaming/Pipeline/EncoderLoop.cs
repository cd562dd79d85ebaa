using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Metrics;
using PiStreaming.Processes;

namespace PiStreaming.Pipeline;

/// <summary>
/// Keeps one output's encoder running: frames from its <see cref="FrameQueue"/> go into ffmpeg while a
/// second loop hands each encoded packet to <c>publish</c>. When ffmpeg fails it is started again after a
/// <see cref="RetryBackoff"/> delay, with one log line per failure; viewers stay connected meanwhile.
/// ffmpeg makes exactly one packet per frame, in order (-fps_mode passthrough), so each packet is
/// published with the time its frame arrived from the camera.
/// </summary>
/// <param name="name">for the log, e.g. "encoder" or "JPEG encoder".</param>
/// <param name="start">starts the encoder process.</param>
/// <param name="publish">takes each packet and when its frame arrived (a <see cref="TimeProvider"/> timestamp).</param>
internal sealed class EncoderLoop(
    string name, Func<FfmpegEncoder> start, FrameQueue input, Action<ReadOnlyMemory<byte>, long> publish, EncoderCounters counters, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan EncoderExitTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>Runs until the input ends (the source is done) or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started (e.g. it was uninstalled while the server ran).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(time);
        try
        {
            while (await RunEncoderAsync(backoff, cancellationToken) is { } failure)
            {
                counters.Restarted();
                if (!await backoff.WaitAfterFailureAsync(
                        delay => logger.LogError("{Name} failed: {Reason}; restarting in {Seconds} s", name, failure, delay.TotalSeconds), cancellationToken))
                {
                    return;
                }
            }
        }
        finally
        {
            input.Clear();
        }
    }

    /// <summary>Runs one ffmpeg until the input ends, a stop, or its failure.</summary>
    /// <returns>why the encoder failed, or null when the loop is done.</returns>
    private async Task<string?> RunEncoderAsync(RetryBackoff backoff, CancellationToken cancellationToken)
    {
        await using var encoder = start();
        // When each frame in ffmpeg arrived from the camera, oldest first.
        var framesInEncoder = new ConcurrentQueue<long>();
        var publishing = PublishAsync(encoder, framesInEncoder, backoff);
        try
        {
            if (await FeedAsync(encoder, framesInEncoder, cancellationToken))
            {
                // Let ffmpeg encode what it holds: the last frames of a finished stream are part of it.
                await encoder.CompleteAsync(EncoderExitTimeout);
            }

            return null;
        }
        catch (EncoderFailedException e)
        {
            return e.Message;
        }
        finally
        {
            // On a stop there is nothing to wait for: its last packets would reach no one.
            encoder.Kill();
            await publishing;
        }
    }

    /// <returns>true when the input has ended, false when stopped.</returns>
    private async Task<bool> FeedAsync(FfmpegEncoder encoder, ConcurrentQueue<long> framesInEncoder, CancellationToken cancellationToken)
    {
        try
        {
            while (await input.TakeAsync(cancellationToken) is { } frame)
            {
                using (frame)
                {
                    framesInEncoder.Enqueue(frame.ReadAt);
                    await encoder.WriteFrameAsync(frame.Memory, cancellationToken);
                }
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task PublishAsync(FfmpegEncoder encoder, ConcurrentQueue<long> framesInEncoder, RetryBackoff backoff)
    {
        // Yield first so the caller starts feeding frames right away.
        await Task.Yield();
        try
        {
            await foreach (var packet in encoder.ReadPacketsAsync(CancellationToken.None))
            {
                backoff.Working();
                counters.Encoded(packet.Length);
                publish(packet, framesInEncoder.TryDequeue(out var readAt) ? readAt : 0);
            }
        }
        catch (InvalidDataException e)
        {
            logger.LogError("{Name} output unreadable: {Reason}", name, e.Message);
            encoder.Kill();
        }
    }
}
