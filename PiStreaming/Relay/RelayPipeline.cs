using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Pipeline;
using PiStreaming.Processes;

namespace PiStreaming.Relay;

/// <summary>
/// A relay's pipeline: the origin's pictures go to the <see cref="Broadcaster"/> exactly as the local
/// encoder's would (join cache, outboxes, slow-viewer rules), with nothing decoded or encoded. When the
/// origin goes away the relay reconnects with a <see cref="RetryBackoff"/> while its own viewers stay
/// connected; they get pictures again when the origin is back. An origin that comes back with another
/// picture size makes every viewer reconnect for the new size (<see cref="Broadcaster.ChangeFormat"/>).
/// The MJPEG stream and snapshots come from a JPEG decoder (ffmpeg: MPEG-1 in, JPEG out) that runs
/// only while someone watches them, fed with the stream as a viewer gets it.
/// </summary>
internal sealed class RelayPipeline : IVideoPipeline
{
    // Stream bytes waiting for the JPEG decoder; when it falls further behind, its outbox skips ahead as a slow viewer's would.
    private const int DecoderQueueCapacity = 12;

    private readonly OriginStream first;
    private readonly Broadcaster broadcaster;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly JsmpgPictureLimit pictureLimit;
    private readonly OnDemandEncoder jpegDecoder;
    private long lastPictureAt;
    private long reconnects;

    /// <param name="first">the connection made at start, which told the stream's size and rate.</param>
    /// <param name="metrics">where the JPEG decoder counts its pictures and restarts.</param>
    public RelayPipeline(OriginStream first, Broadcaster broadcaster, string ffmpegPath, int jpegQuality, TimeSpan linger, ServerMetrics metrics, TimeProvider time,
        ILoggerFactory loggers)
    {
        this.first = first;
        this.broadcaster = broadcaster;
        this.time = time;
        logger = loggers.CreateLogger<RelayPipeline>();
        pictureLimit = new JsmpgPictureLimit(logger);
        var jpegPictures = new LatestPicture(time);
        var arguments = JpegArguments.ForMpeg1Stream(jpegQuality);
        var jpegCounters = metrics.Encoder(StreamingPipeline.JpegEncoderName);
        jpegDecoder = new OnDemandEncoder("JPEG decoder", cancellationToken => DecodeJpegsAsync(ffmpegPath, arguments, jpegPictures, jpegCounters, cancellationToken),
            linger, time, logger);
        Jpeg = new JpegOutput(jpegDecoder, jpegPictures, () => Interlocked.Read(ref lastPictureAt), TimeSpan.FromSeconds(1 / first.FrameRate), time);
    }

    public JpegOutput Jpeg { get; }

    public long DroppedFrames => 0;

    /// <summary>How often the relay has reconnected to its origin.</summary>
    public long SourceRestarts => Interlocked.Read(ref reconnects);

    /// <summary>Relays until <paramref name="cancellationToken"/> fires; the origin's failures are retried, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(time);
        var origin = first;
        try
        {
            while (true)
            {
                var failure = await RelayAsync(origin, backoff, cancellationToken);
                await origin.DisposeAsync();
                if (await ReconnectAsync(origin.Address, failure, backoff, cancellationToken) is not { } next)
                {
                    return;
                }

                origin = next;
                Interlocked.Increment(ref reconnects);
                logger.LogInformation("reconnected to the origin {Origin}", origin.Name);
                if (origin.Format != broadcaster.Format)
                {
                    logger.LogWarning("the origin's pictures are {New} now, not {Old}: every viewer reconnects for the new size", origin.Format, broadcaster.Format);
                    broadcaster.ChangeFormat(origin.Format);
                }
            }
        }
        finally
        {
            await origin.DisposeAsync();
            await jpegDecoder.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await jpegDecoder.DisposeAsync();
        await first.DisposeAsync(); // in case it never ran
    }

    /// <returns>why the origin's stream ended (null: stopped).</returns>
    private async Task<string?> RelayAsync(OriginStream origin, RetryBackoff backoff, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var picture in origin.ReadPicturesAsync(cancellationToken))
            {
                backoff.Working();
                // A relay's pictures are as old as their arrival here: the age its viewers' pictures reach is the relay's own share.
                var arrived = time.GetTimestamp();
                Interlocked.Exchange(ref lastPictureAt, arrived);
                pictureLimit.Check(picture);
                broadcaster.Publish(picture with { FrameReadAt = arrived });
            }

            return "it ended the stream";
        }
        catch (OriginUnavailableException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <returns>the new connection, or null when stopped.</returns>
    private async Task<OriginStream?> ReconnectAsync(Uri address, string? failure, RetryBackoff backoff, CancellationToken cancellationToken)
    {
        while (failure is not null)
        {
            var reason = failure;
            if (!await backoff.WaitAfterFailureAsync(
                    delay => logger.LogWarning("lost the origin: {Reason}; reconnecting in {Seconds} s (viewers stay connected)", reason, delay.TotalSeconds),
                    cancellationToken))
            {
                return null;
            }

            try
            {
                return await OriginStream.ConnectAsync(address, cancellationToken);
            }
            catch (OriginUnavailableException e)
            {
                failure = e.Message;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        return null;
    }

    // The decoder watches the stream like a viewer: it starts at the join cache and skips ahead when it falls behind.
    private async Task DecodeJpegsAsync(string ffmpegPath, IReadOnlyList<string> arguments, LatestPicture pictures, EncoderCounters counters,
        CancellationToken cancellationToken)
    {
        var input = new FrameQueue(DecoderQueueCapacity, waits: true, counters);
        using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var decoderViewer = new Viewer(0, "this relay", "JPEG decoder", time.GetTimestamp());
        var feeding = broadcaster.WatchAsync(decoderViewer, outbox => FeedAsync(outbox, input, stopFeeding.Token));
        try
        {
            await new EncoderLoop("JPEG decoder", () => FfmpegEncoder.Start(ffmpegPath, arguments, broadcaster.Format, logger), input, pictures.Publish,
                    counters, time, logger)
                .RunAsync(cancellationToken);
        }
        finally
        {
            await stopFeeding.CancelAsync();
            await feeding;
            input.Clear();
        }
    }

    private static async Task FeedAsync(ViewerOutbox outbox, FrameQueue input, CancellationToken cancellationToken)
    {
        try
        {
            while (await outbox.WaitAsync(cancellationToken))
            {
                while (outbox.TryTake(out var next))
                {
                    foreach (var message in next.Messages)
                    {
                        await input.AddAsync(message, next.Picture.Picture.FrameReadAt, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            input.Complete();
        }
    }
}
