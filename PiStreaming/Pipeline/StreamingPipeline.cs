using Microsoft.Extensions.Logging;
using PiStreaming.Broadcasting;
using PiStreaming.Encoding;
using PiStreaming.Processes;
using PiStreaming.Sources;

namespace PiStreaming.Pipeline;

/// <summary>
/// source -> encoder -> broadcaster. Frames go into ffmpeg at the source's pace while a second loop
/// publishes each encoded picture. When ffmpeg fails it is restarted; viewers stay connected and
/// resume at the next I picture.
/// </summary>
public sealed class StreamingPipeline(IFrameSource source, EncoderSettings settings, Broadcaster broadcaster, ILogger<StreamingPipeline> logger)
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan EncoderExitTimeout = TimeSpan.FromMilliseconds(300);

    private readonly JsmpgPictureLimit pictureLimit = new(logger);

    /// <summary>Runs until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started at all.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var frames = source.ReadFramesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var encoder = FfmpegEncoder.Start(settings, logger);
            var publishing = PublishAsync(encoder, cancellationToken);
            try
            {
                var sourceEnded = await FeedAsync(frames, encoder, cancellationToken);
                await encoder.CompleteAsync(EncoderExitTimeout);
                await publishing;
                if (sourceEnded || cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
            catch (EncoderFailedException e)
            {
                encoder.Kill();
                await publishing;
                // A terminal's Ctrl+C reaches ffmpeg and this process together, and ffmpeg may exit
                // first: wait before calling it a failure, so a stop request wins quietly.
                try
                {
                    await Task.Delay(RestartDelay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                logger.LogError("encoder failed: {Reason}; restarted it", e.Message);
            }
        }
    }

    /// <returns>true when the source has no more frames.</returns>
    private async Task<bool> FeedAsync(IAsyncEnumerator<ReadOnlyMemory<byte>> frames, FfmpegEncoder encoder, CancellationToken cancellationToken)
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

    private async Task PublishAsync(FfmpegEncoder encoder, CancellationToken cancellationToken)
    {
        // Yield first so the caller starts feeding frames right away.
        await Task.Yield();
        try
        {
            await foreach (var picture in encoder.ReadPicturesAsync(CancellationToken.None))
            {
                pictureLimit.Check(picture);
                broadcaster.Publish(picture);
            }
        }
        catch (InvalidDataException e)
        {
            logger.LogError("encoder output unreadable: {Reason}", e.Message);
            encoder.Kill();
        }

        if (!cancellationToken.IsCancellationRequested && encoder.HasExited)
        {
            logger.LogDebug("encoder output ended: {Reason}", encoder.FailureDescription);
        }
    }
}
