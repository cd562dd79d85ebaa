using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Processes;
using PiStreaming.Sources;

namespace PiStreaming.Pipeline;

/// <summary>The video streams the pipeline feeds: MPEG-1, H.264 or both (a null broadcaster: not offered).</summary>
/// <param name="H264">how H.264 is encoded from raw frames (not needed when the camera encodes it).</param>
internal sealed record VideoStreams(Broadcaster? Mpeg1, Broadcaster? H264Viewers = null, H264Settings? H264 = null)
{
    /// <summary>The broadcasters of the streams offered.</summary>
    public Broadcaster[] Offered { get; } = [.. new[] { Mpeg1, H264Viewers }.OfType<Broadcaster>()];
}

/// <summary>
/// One source, every output: the <see cref="FrameDistributor"/> hands each camera frame to the video
/// encoders (MPEG-1 and H.264, always running; their pictures go to a <see cref="Broadcaster"/> each) and,
/// while someone watches MJPEG or asks for snapshots, to the JPEG encoder (its pictures go to a
/// <see cref="LatestPicture"/>). Each encoder has its own small queue, so a slow one never holds up the
/// camera or the others. A camera that encodes H.264 itself (<see cref="IFrameSource.DeliversH264"/>: rpicam-vid, or a
/// webcam) is passed through to the H.264 viewers, with SPS and PPS before every IDR picture
/// (<see cref="JoinableH264Source"/>), and the JPEG encoder decodes its stream.
/// </summary>
internal sealed class StreamingPipeline : IVideoPipeline
{
    /// <summary>How long an on-demand encoder keeps running after its last viewer.</summary>
    public static readonly TimeSpan DefaultLinger = TimeSpan.FromSeconds(10);

    /// <summary>The encoders' names in metrics and status.</summary>
    public const string Mpeg1EncoderName = "mpeg1";
    public const string H264EncoderName = "h264";
    public const string JpegEncoderName = "jpeg";

    // Frames waiting for one encoder: enough to ride out ffmpeg's start (~0.2 s, longer on a busy
    // machine) and a slow picture; an encoder that keeps up finds the queue empty, so it adds no latency.
    private const int QueueCapacity = 6;

    private readonly FrameQueue mainFrames;
    private readonly IFrameSource source;
    private readonly FrameDistributor distributor;
    private readonly List<Func<CancellationToken, Task>> videoLoops = [];
    private readonly OnDemandEncoder jpegEncoder;

    /// <param name="frameInterval">the time between two camera frames.</param>
    /// <param name="linger">how long the JPEG encoder runs on after its last viewer.</param>
    /// <param name="metrics">where the encoders count pictures, restarts and dropped frames.</param>
    public StreamingPipeline(IFrameSource source, EncoderSettings settings, TimeSpan frameInterval, int jpegQuality, TimeSpan linger, VideoStreams streams,
        ServerMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        source = source.DeliversH264 ? new JoinableH264Source(source) : source;
        this.source = source;
        var logger = loggers.CreateLogger<StreamingPipeline>();
        var jpegCounters = metrics.Encoder(JpegEncoderName);
        FrameQueue? firstQueue = null;
        var otherQueues = new List<FrameQueue>();
        FrameQueue NextQueue(EncoderCounters counters)
        {
            if (firstQueue is null)
            {
                // A live camera never waits for the encoder; a piped stream is held back instead of losing frames.
                return firstQueue = new FrameQueue(QueueCapacity, waits: !source.IsLive, counters);
            }

            // Further encoders get frames beside the first; their queues drop rather than wait.
            var queue = new FrameQueue(QueueCapacity, waits: false, counters);
            otherQueues.Add(queue);
            return queue;
        }

        // The MPEG-1 encoder takes the main queue when it runs (as before there was H.264).
        if (streams.Mpeg1 is { } mpeg1Viewers && !source.DeliversH264)
        {
            var pictureLimit = new JsmpgPictureLimit(logger);
            var counters = metrics.Encoder(Mpeg1EncoderName);
            var loop = new EncoderLoop("encoder", () => FfmpegEncoder.Start(settings, logger), NextQueue(counters), (packet, frameReadAt) =>
            {
                var picture = EncodedPicture.Parse(packet, frameReadAt);
                pictureLimit.Check(picture);
                mpeg1Viewers.Publish(picture);
            }, counters, time, logger);
            videoLoops.Add(loop.RunAsync);
        }

        if (streams.H264Viewers is { } h264Viewers)
        {
            var counters = metrics.Encoder(H264EncoderName);
            if (source.DeliversH264)
            {
                // Its IDR pictures carry their SPS and PPS already (JoinableH264Source).
                var units = NextQueue(counters);
                var idrIntervals = new IdrIntervalLog(source.Name, h264Viewers.JoinCachePictures, time, logger);
                videoLoops.Add(cancellationToken => PassOnAsync(units, (unit, frameReadAt) =>
                {
                    var picture = H264AccessUnit.Parse(unit, frameReadAt);
                    idrIntervals.Observe(picture);
                    h264Viewers.Publish(picture);
                }, counters, cancellationToken));
            }
            else
            {
                var h264 = streams.H264 ?? throw new ArgumentException("H.264 settings are needed to encode H.264", nameof(streams));
                var h264Arguments = H264Arguments.For(settings, h264);
                var parameterSets = new H264ParameterSets();
                var loop = new EncoderLoop("H.264 encoder", () => FfmpegEncoder.Start(settings.FfmpegPath, h264Arguments, settings.Format, logger),
                    NextQueue(counters), (unit, frameReadAt) => h264Viewers.Publish(parameterSets.Complete(H264AccessUnit.Parse(unit, frameReadAt))),
                    counters, time, logger);
                videoLoops.Add(loop.RunAsync);
            }
        }

        mainFrames = firstQueue ?? throw new ArgumentException("no video stream to encode", nameof(streams));
        distributor = new FrameDistributor(source, mainFrames, time);
        foreach (var queue in otherQueues)
        {
            distributor.Attach(queue);
        }

        var jpegPictures = new LatestPicture(time);
        var jpegArguments = JpegArguments.For(settings, jpegQuality, h264Input: source.DeliversH264);
        jpegEncoder = new OnDemandEncoder("JPEG encoder", async cancellationToken =>
        {
            var frames = new FrameQueue(QueueCapacity, waits: false, jpegCounters);
            distributor.Attach(frames);
            try
            {
                await new EncoderLoop("JPEG encoder", () => FfmpegEncoder.Start(settings.FfmpegPath, jpegArguments, settings.Format, logger), frames,
                        jpegPictures.Publish, jpegCounters, time, logger)
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

    /// <summary>Frames the first video encoder (MPEG-1 when it runs) could not take in time and that were dropped.</summary>
    public long DroppedFrames => mainFrames.Dropped;

    public long SourceRestarts => source.Restarts;

    /// <summary>Runs until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started (e.g. it was uninstalled while the server ran).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var distributing = distributor.RunAsync(stopSource.Token);
        var loops = videoLoops.Select(run => run(stopSource.Token)).ToList();
        try
        {
            // Each ends when the source has ended (its queue completes) or on a stop; the first to fail
            // (ffmpeg cannot start) ends them all.
            var pending = loops.ToList();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                await done;
            }
        }
        finally
        {
            // The source may be waiting for a queue no one reads any more.
            await stopSource.CancelAsync();
            await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    // The camera's own H.264: each access unit goes to the viewers as it is (a copy: the queue's buffer is reused).
    private static async Task PassOnAsync(FrameQueue units, Action<ReadOnlyMemory<byte>, long> publish, EncoderCounters counters,
        CancellationToken cancellationToken)
    {
        try
        {
            while (await units.TakeAsync(cancellationToken) is { } unit)
            {
                using (unit)
                {
                    counters.Encoded(unit.Memory.Length);
                    publish(unit.Memory.ToArray(), unit.ReadAt);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            units.Clear();
        }
    }
}
