using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Processes;
using PiStreaming.Sources;

namespace PiStreaming.Pipeline;

/// <summary>
/// One source, every output: the <see cref="FrameDistributor"/> hands each camera frame to the MPEG-1
/// encoder (always running; its pictures go to the <see cref="Broadcaster"/>) and, while someone
/// watches MJPEG or asks for snapshots, to the JPEG encoder (its pictures go to a <see cref="LatestPicture"/>).
/// Each encoder has its own small queue, so a slow one never holds up the camera or the other.
/// </summary>
internal sealed class StreamingPipeline : IVideoPipeline
{
    /// <summary>How long an on-demand encoder keeps running after its last viewer.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromSeconds(10);

    /// <summary>The encoders' names in metrics and status.</summary>
    public const string Mpeg1EncoderName = "mpeg1";
    public const string JpegEncoderName = "jpeg";

    // Frames waiting for one encoder: enough to ride out ffmpeg's start (~0.2 s, longer on a busy
    // machine) and a slow picture; an encoder that keeps up finds the queue empty, so it adds no latency.
    private const int QueueCapacity = 6;

    private readonly FrameQueue mpeg1Frames;
    private readonly IFrameSource source;
    private readonly FrameDistributor distributor;
    private readonly EncoderLoop mpeg1;
    private readonly OnDemandEncoder jpegEncoder;

    /// <param name="frameInterval">the time between two camera frames.</param>
    /// <param name="linger">how long the JPEG encoder runs on after its last viewer.</param>
    /// <param name="metrics">where the encoders count pictures, restarts and dropped frames.</param>
    public StreamingPipeline(IFrameSource source, EncoderSettings settings, TimeSpan frameInterval, int jpegQuality, TimeSpan linger, Broadcaster broadcaster,
        ServerMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        this.source = source;
        var logger = loggers.CreateLogger<StreamingPipeline>();
        var pictureLimit = new JsmpgPictureLimit(logger);
        var mpeg1Counters = metrics.Encoder(Mpeg1EncoderName);
        var jpegCounters = metrics.Encoder(JpegEncoderName);
        // A live camera never waits for the encoder; a piped stream is held back instead of losing frames.
        mpeg1Frames = new FrameQueue(QueueCapacity, waits: !source.IsLive, mpeg1Counters);
        distributor = new FrameDistributor(source, mpeg1Frames, time);
        mpeg1 = new EncoderLoop("encoder", () => FfmpegEncoder.Start(settings, logger), mpeg1Frames, (packet, frameReadAt) =>
        {
            var picture = EncodedPicture.Parse(packet, frameReadAt);
            pictureLimit.Check(picture);
            broadcaster.Publish(picture);
        }, mpeg1Counters, time, logger);

        var jpegPictures = new LatestPicture(time);
        var jpegArguments = JpegArguments.For(settings, jpegQuality);
        jpegEncoder = new OnDemandEncoder("JPEG encoder", async cancellationToken =>
        {
            var frames = new FrameQueue(QueueCapacity, waits: false, jpegCounters);
            distributor.Attach(frames);
            try
            {
                await new EncoderLoop("JPEG encoder", () => FfmpegEncoder.Start(settings.FfmpegPath, jpegArguments, logger), frames, jpegPictures.Publish,
                        jpegCounters, time, logger)
                    .RunAsync(cancellationToken);
            }
            finally
            {
                distributor.Detach(frames);
                frames.Clear();
            }
        }, linger, time, logger);
        Jpeg = new JpegOutput(jpegEncoder, jpegPictures, () => distributor.LastFrameAt, frameInterval, time);
    }

    /// <summary>The MJPEG stream's and the snapshots' side of the pipeline.</summary>
    public JpegOutput Jpeg { get; }

    /// <summary>Frames the MPEG-1 encoder could not take in time and that were dropped.</summary>
    public long DroppedFrames => mpeg1Frames.Dropped;

    public long SourceRestarts => source.Restarts;

    /// <summary>Runs until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started (e.g. it was uninstalled while the server ran).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var distributing = distributor.RunAsync(stopSource.Token);
        try
        {
            // Ends when the source has ended (its queue completes), on a stop, or when ffmpeg cannot start.
            await mpeg1.RunAsync(cancellationToken);
        }
        finally
        {
            // The source may be waiting for a queue no one reads any more.
            await stopSource.CancelAsync();
            await jpegEncoder.DisposeAsync();
        }

        try
        {
            await distributing;
        }
        catch (OperationCanceledException) when (stopSource.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync() => jpegEncoder.DisposeAsync();
}
