using Microsoft.Extensions.Logging;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Processes;
using PiStreaming.Sources;

namespace PiStreaming.Pipeline;

/// <summary>
/// source -> encoder -> broadcaster. Frames go into ffmpeg at the source's pace while a second loop
/// publishes each encoded picture. When ffmpeg fails it is restarted after a <see cref="RetryBackoff"/>
/// delay; viewers stay connected and resume at the new encoder's first (I) picture.
/// </summary>
internal sealed class StreamingPipeline(IFrameSource source, EncoderSettings settings, Broadcaster broadcaster, TimeProvider time, ILogger<StreamingPipeline> logger)
{
    private static readonly TimeSpan EncoderExitTimeout = TimeSpan.FromMilliseconds(300);

    private readonly JsmpgPictureLimit pictureLimit = new(logger);

    /// <summary>Runs until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started (e.g. it was uninstalled while the server ran).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(time);
        await using var frames = source.ReadFramesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await RunEncoderAsync(frames, backoff, cancellationToken) is { } failure)
        {
            if (!await backoff.WaitAfterFailureAsync(
                    delay => logger.LogError("encoder failed: {Reason}; restarting in {Seconds} s", failure, delay.TotalSeconds), cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>Runs one ffmpeg until the source ends, a stop, or its failure.</summary>
    /// <returns>why the encoder failed, or null when the pipeline is done.</returns>
    private async Task<string?> RunEncoderAsync(IAsyncEnumerator<ReadOnlyMemory<byte>> frames, RetryBackoff backoff, CancellationToken cancellationToken)
    {
        await using var encoder = FfmpegEncoder.Start(settings, logger);
        var publishing = PublishAsync(encoder, backoff);
        try
        {
            if (await FeedAsync(frames, encoder, cancellationToken))
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
            // On a stop there is nothing to wait for: its last pictures would reach no one.
            encoder.Kill();
            await publishing;
        }
    }

    /// <returns>true when the source has no more frames, false when stopped.</returns>
    private static async Task<bool> FeedAsync(IAsyncEnumerator<ReadOnlyMemory<byte>> frames, FfmpegEncoder encoder, CancellationToken cancellationToken)
    {
        try
        {
            while (await frames.MoveNextAsync())
            {
                await encoder.WriteFrameAsync(frames.Current, cancellationToken);
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task PublishAsync(FfmpegEncoder encoder, RetryBackoff backoff)
    {
        // Yield first so the caller starts feeding frames right away.
        await Task.Yield();
        try
        {
            await foreach (var picture in encoder.ReadPicturesAsync(CancellationToken.None))
            {
                backoff.Working();
                pictureLimit.Check(picture);
                broadcaster.Publish(picture);
            }
        }
        catch (InvalidDataException e)
        {
            logger.LogError("encoder output unreadable: {Reason}", e.Message);
            encoder.Kill();
        }
    }
}
