using Microsoft.Extensions.Logging;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Metrics;
using PiStreaming.Options;
using PiStreaming.Pipeline;
using PiStreaming.Publishing;
using PiStreaming.Relay;
using PiStreaming.Sources;
using PiStreaming.Web;

namespace PiStreaming;

/// <summary>
/// The whole server: source -> encoder -> broadcaster -> viewers, with the web server beside it.
/// Stops in order: camera and encoder first, then viewers (asked to close, aborted after a timeout),
/// then the web server.
/// </summary>
internal sealed class StreamingServer : IAsyncDisposable
{
    private static readonly TimeSpan ViewerCloseTimeout = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan WebStopTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ActivitySummaryInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource stopping = new();
    private readonly string sourceName;
    private readonly Audience audience;
    private readonly Broadcaster[] broadcasters;
    private readonly IVideoPipeline pipeline;
    private readonly WebServer web;
    private readonly ServerMetrics metrics;
    private readonly ILogger logger;
    private readonly Task summaries;
    private readonly Task publishing;

    private StreamingServer(string sourceName, Audience audience, VideoStreams streams, IVideoPipeline pipeline, WebServer web,
        ServerMetrics metrics, ViewerActivityLog activity, IReadOnlyList<Publisher> publishers, ILogger logger)
    {
        this.metrics = metrics;
        this.sourceName = sourceName;
        this.audience = audience;
        broadcasters = streams.Offered;
        this.pipeline = pipeline;
        this.web = web;
        this.logger = logger;
        Completion = Task.Run(() => pipeline.RunAsync(stopping.Token), CancellationToken.None);
        summaries = activity.RunSummariesAsync(ActivitySummaryInterval, () => SkippedPictures, stopping.Token);
        publishing = Task.WhenAll(publishers.Select(p => Task.Run(() => p.RunAsync(stopping.Token), CancellationToken.None)));
    }

    public int HttpPort => web.HttpPort;
    public int WebSocketPort => web.WebSocketPort;
    public int ViewerCount => audience.Count;

    /// <summary>Pictures skipped for viewers that could not keep up, since the start.</summary>
    public long SkippedPictures => broadcasters.Sum(b => b.TotalSkippedPictures);

    /// <summary>Frames the MPEG-1 encoder could not take in time, since the start.</summary>
    public long DroppedFrames => pipeline.DroppedFrames;

    /// <summary>Completes when the source has no more frames, or faults when the pipeline fails.</summary>
    public Task Completion { get; }

    /// <summary>Why the pipeline failed (a failure the server cannot recover from), once it has; otherwise null.</summary>
    public string? Failure => Completion.Exception?.InnerException is { } e ? Describe(e) : null;

    /// <summary>Starts the web server, then the camera and the encoders.</summary>
    /// <param name="source">owned by the caller, who disposes it after the server.</param>
    /// <param name="security">who may watch and the certificate (null: open, plain http); owned by the caller.</param>
    /// <param name="h264Encoder">what encodes H.264 from raw frames (see <see cref="H264EncoderProbe"/>).</param>
    /// <exception cref="IOException">a port cannot be bound.</exception>
    public static Task<StreamingServer> StartAsync(
        ServerOptions options, IFrameSource source, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers, CancellationToken cancellationToken,
        ServerSecurity? security = null, H264EncoderKind h264Encoder = H264EncoderKind.Libx264)
    {
        var format = new FrameFormat(options.Width, options.Height);
        return StartAsync(options, source.Name, (activity, metrics, time) => new VideoStreams(
                // A camera that encodes H.264 itself gives no raw frames for an MPEG-1 encoder (it runs so only with --codec h264).
                options.Codec.HasMpeg1() && !source.DeliversH264
                    ? new Broadcaster(format, options.Latency, options.SlowViewers, options.CodedFrameRate.Value, activity, metrics, time)
                    : null,
                options.Codec.HasH264() ? Broadcaster.ForH264(format, options.SlowViewers, options.FrameRate, activity, metrics, time) : null,
                options.H264(h264Encoder)),
            (streams, metrics, time) => new StreamingPipeline(source, EncoderSettings.From(options, ffmpegPath, source.FlipsFrames),
                TimeSpan.FromSeconds(1 / options.FrameRate), options.MjpegQuality, options.EncoderLinger, streams, metrics, time, loggers),
            assets, ffmpegPath, loggers, security, cancellationToken);
    }

    /// <summary>Starts a relay: the web server, then relaying <paramref name="origin"/>'s streams (their size and rate are the origin's).</summary>
    /// <param name="origin">connected already; the server owns it from here on.</param>
    /// <param name="security">who may watch and the certificate (null: open, plain http); owned by the caller.</param>
    /// <exception cref="IOException">a port cannot be bound.</exception>
    public static Task<StreamingServer> StartRelayAsync(
        ServerOptions options, RelayOrigin origin, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers, CancellationToken cancellationToken,
        ServerSecurity? security = null)
    {
        // The relay offers the streams its origin offers.
        var codecs = origin.Mpeg1 is null ? VideoCodecs.H264 : origin.H264 is null ? VideoCodecs.Mpeg1 : VideoCodecs.Both;
        options = options with { Width = origin.Format.Width, Height = origin.Format.Height, FrameRate = origin.FrameRate, Codec = codecs };
        return StartAsync(options, $"relay of {origin.Name}",
            (activity, metrics, time) => new VideoStreams(
                origin.Mpeg1 is { } mpeg1
                    ? new Broadcaster(mpeg1.Format, options.Latency, options.SlowViewers, mpeg1.FrameRate ?? options.CodedFrameRate.Value, activity, metrics, time)
                    : null,
                origin.H264 is { } h264 ? Broadcaster.ForH264(h264.Format, options.SlowViewers, options.FrameRate, activity, metrics, time) : null),
            (streams, metrics, time) => new RelayPipeline(origin, streams.Mpeg1, streams.H264Viewers, ffmpegPath, options.MjpegQuality, options.EncoderLinger,
                metrics, time, loggers),
            assets, ffmpegPath, loggers, security, cancellationToken);
    }

    private static async Task<StreamingServer> StartAsync(ServerOptions options, string sourceName,
        Func<ViewerActivityLog, ServerMetrics, TimeProvider, VideoStreams> createStreams,
        Func<VideoStreams, ServerMetrics, TimeProvider, IVideoPipeline> createPipeline, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers,
        ServerSecurity? security, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var metrics = new ServerMetrics(time);
        var activity = new ViewerActivityLog(loggers.CreateLogger<Broadcaster>(), time);
        var audience = new Audience(options.MaxViewers, activity, metrics, time);
        var streams = createStreams(activity, metrics, time);
        var pipeline = createPipeline(streams, metrics, time);
        metrics.Observe(() => streams.Offered.Sum(b => b.TotalSkippedPictures), () => pipeline.SourceRestarts);
        var webSettings = new WebSettings(options.Bind, options.HttpPort, options.WebSocketPort, options.MaxViewers, options.BitrateKbps, options.AllowedOrigins,
            new PageLook(options.Color, options.BackgroundColor, options.FrameRate), options.SlowViewers.GiveUpAfter,
            new StreamDescription(sourceName, options.Width, options.Height, options.FrameRate, options.BitrateKbps), security?.Access, security?.Tls);
        WebServer web;
        try
        {
            web = await WebServer.StartAsync(webSettings, assets, audience, streams, pipeline.Jpeg, metrics, loggers, cancellationToken);
        }
        catch
        {
            await pipeline.DisposeAsync();
            metrics.Dispose();
            throw;
        }

        // H.264 where the server has it (media servers and their browsers want it), MPEG-1 otherwise.
        var publishers = options.Publish.Select(target => streams.H264Viewers is { } h264
                ? new Publisher(target, h264, PublishedCodec.H264, ffmpegPath, options.FrameRate, time, loggers.CreateLogger<Publisher>())
                : new Publisher(target, streams.Mpeg1!, PublishedCodec.Mpeg1, ffmpegPath, options.CodedFrameRate.Value, time, loggers.CreateLogger<Publisher>()))
            .ToList();
        return new StreamingServer(sourceName, audience, streams, pipeline, web, metrics, activity, publishers, loggers.CreateLogger<StreamingServer>());
    }

    /// <summary>Stops everything in order; a pipeline failure is left to <see cref="Failure"/>.</summary>
    public async Task StopAsync()
    {
        logger.LogInformation("stopping camera and encoder");
        await stopping.CancelAsync();
        await Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await publishing;

        await summaries;
        logger.LogInformation("closing {Count} viewer connections", audience.Count);
        await audience.CloseAllAsync(ViewerCloseTimeout);

        logger.LogInformation("stopping web server");
        using var webTimeout = new CancellationTokenSource(WebStopTimeout);
        await web.StopAsync(webTimeout.Token);
    }

    private string Describe(Exception e) => e switch
    {
        Processes.ChildProcessException => $"encoder failed: {e.Message}",
        IOException => $"{sourceName} failed: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    public async ValueTask DisposeAsync()
    {
        await web.DisposeAsync();
        await pipeline.DisposeAsync();
        metrics.Dispose();
        stopping.Dispose();
    }
}
