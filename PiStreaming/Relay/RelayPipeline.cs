using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Pipeline;

namespace PiStreaming.Relay;

/// <summary>
/// A relay's pipeline: each stream the origin offers (MPEG-1, H.264 or both) is a <see cref="RelayedStream"/>
/// that feeds its own <see cref="Broadcaster"/> and reconnects on its own, with nothing decoded or encoded.
/// The MJPEG stream and snapshots come from a JPEG decoder (ffmpeg: the MPEG-1 stream in, or H.264 when
/// the origin offers only that; JPEG out) that runs only while someone watches them, fed with the stream as
/// a viewer gets it.
/// </summary>
internal sealed class RelayPipeline : IVideoPipeline
{
    // Stream bytes waiting for the JPEG decoder; when it falls further behind, its outbox skips ahead as a slow viewer's would.
    private const int DecoderQueueCapacity = 12;

    private readonly RelayedStream[] streams;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly OnDemandEncoder jpegDecoder;

    /// <param name="origin">the connections made at start, which told the streams' size and rate.</param>
    /// <param name="mpeg1">and <paramref name="h264"/>: the broadcasters of the streams the origin offers (null for the others).</param>
    /// <param name="metrics">where the JPEG decoder counts its pictures and restarts.</param>
    public RelayPipeline(RelayOrigin origin, Broadcaster? mpeg1, Broadcaster? h264, string ffmpegPath, int jpegQuality, TimeSpan linger, ServerMetrics metrics,
        TimeProvider time, ILoggerFactory loggers)
    {
        this.time = time;
        logger = loggers.CreateLogger<RelayPipeline>();
        streams =
        [
            .. origin.Mpeg1 is { } mpeg1Origin ? [new RelayedStream(mpeg1Origin, Offered(mpeg1, "MPEG-1"), time, logger)] : Array.Empty<RelayedStream>(),
            .. origin.H264 is { } h264Origin ? [new RelayedStream(h264Origin, Offered(h264, "H.264"), time, logger)] : Array.Empty<RelayedStream>(),
        ];
        // MPEG-1 is the cheaper one to decode.
        var decoded = streams[0];
        var jpegPictures = new LatestPicture(time);
        var arguments = JpegArguments.ForRelayedStream(jpegQuality, h264Input: decoded.Broadcaster == h264);
        var jpegCounters = metrics.Encoder(StreamingPipeline.JpegEncoderName);
        jpegDecoder = new OnDemandEncoder("JPEG decoder",
            cancellationToken => DecodeJpegsAsync(decoded.Broadcaster, ffmpegPath, arguments, jpegPictures, jpegCounters, cancellationToken), linger, time, logger);
        Jpeg = new JpegOutput(jpegDecoder, jpegPictures, () => streams.Max(s => s.LastPictureAt), TimeSpan.FromSeconds(1 / origin.FrameRate), time);
    }

    public JpegOutput Jpeg { get; }

    public long DroppedFrames => 0;

    /// <summary>How often the relay has reconnected to its origin (each stream counts).</summary>
    public long SourceRestarts => streams.Sum(s => s.Reconnects);

    /// <summary>Relays until <paramref name="cancellationToken"/> fires; the origin's failures are retried, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(streams.Select(s => s.RunAsync(cancellationToken)));
        }
        finally
        {
            await jpegDecoder.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await jpegDecoder.DisposeAsync();
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }

    private static Broadcaster Offered(Broadcaster? broadcaster, string codec) =>
        broadcaster ?? throw new ArgumentException($"the origin offers {codec}: its broadcaster is needed");

    // The decoder watches the stream like a viewer: it starts at the join cache and skips ahead when it falls behind.
    private async Task DecodeJpegsAsync(Broadcaster broadcaster, string ffmpegPath, IReadOnlyList<string> arguments, LatestPicture pictures,
        EncoderCounters counters, CancellationToken cancellationToken)
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
