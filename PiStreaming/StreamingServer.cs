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
    private readonly Broadcaster broadcaster;
    private readonly IVideoPipeline pipeline;
    private readonly WebServer web;
    private readonly ServerMetrics metrics;
    private readonly ILogger logger;
    private readonly Task summaries;
    private readonly Task publishing;

    private StreamingServer(string sourceName, Audience audience, Broadcaster broadcaster, IVideoPipeline pipeline, WebServer web,
        ServerMetrics metrics, ViewerActivityLog activity, IReadOnlyList<Publisher> publishers, ILogger logger)
    {
        this.metrics = metrics;
        this.sourceName = sourceName;
        this.audience = audience;
        this.broadcaster = broadcaster;
        this.pipeline = pipeline;
        this.web = web;
        this.logger = logger;
        Completion = Task.Run(() => pipeline.RunAsync(stopping.Token), CancellationToken.None);
        summaries = activity.RunSummariesAsync(ActivitySummaryInterval, () => broadcaster.TotalSkippedPictures, stopping.Token);
        publishing = Task.WhenAll(publishers.Select(p => Task.Run(() => p.RunAsync(stopping.Token), CancellationToken.None)));
    }

    public int HttpPort => web.HttpPort;
    public int WebSocketPort => web.WebSocketPort;
    public int ViewerCount => audience.Count;

    /// <summary>Pictures skipped for viewers that could not keep up, since the start.</summary>
    public long SkippedPictures => broadcaster.TotalSkippedPictures;

    /// <summary>Frames the MPEG-1 encoder could not take in time, since the start.</summary>
    public long DroppedFrames => pipeline.DroppedFrames;

    /// <summary>Completes when the source has no more frames, or faults when the pipeline fails.</summary>
    public Task Completion { get; }

    /// <summary>Why the pipeline failed (a failure the server cannot recover from), once it has; otherwise null.</summary>
    public string? Failure => Completion.Exception?.InnerException is { } e ? Describe(e) : null;

    /// <summary>Starts the web server, then the camera and the encoders.</summary>
    /// <param name="source">owned by the caller, who disposes it after the server.</param>
    /// <param name="security">who may watch and the certificate (null: open, plain http); owned by the caller.</param>
    /// <exception cref="IOException">a port cannot be bound.</exception>
    public static Task<StreamingServer> StartAsync(
        ServerOptions options, IFrameSource source, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers, CancellationToken cancellationToken,
        ServerSecurity? security = null) =>
        StartAsync(options, source.Name, options.CodedFrameRate.Value, (broadcaster, metrics, time) => new StreamingPipeline(source,
            EncoderSettings.From(options, ffmpegPath, source.FlipsFrames), TimeSpan.FromSeconds(1 / options.FrameRate), options.MjpegQuality,
            options.EncoderLinger, broadcaster, metrics, time, loggers), assets, ffmpegPath, loggers, security, cancellationToken);

    /// <summary>Starts a relay: the web server, then relaying <paramref name="origin"/>'s pictures (its size and rate are the stream's).</summary>
    /// <param name="origin">connected already; the server owns it from here on.</param>
    /// <param name="security">who may watch and the certificate (null: open, plain http); owned by the caller.</param>
    /// <exception cref="IOException">a port cannot be bound.</exception>
    public static Task<StreamingServer> StartRelayAsync(
        ServerOptions options, OriginStream origin, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers, CancellationToken cancellationToken,
        ServerSecurity? security = null) =>
        StartAsync(options with { Width = origin.Format.Width, Height = origin.Format.Height, FrameRate = origin.FrameRate }, $"relay of {origin.Name}",
            origin.FrameRate, (broadcaster, metrics, time) => new RelayPipeline(origin, broadcaster, ffmpegPath, options.MjpegQuality, options.EncoderLinger, metrics, time,
                loggers),
            assets, ffmpegPath, loggers, security, cancellationToken);

    private static async Task<StreamingServer> StartAsync(ServerOptions options, string sourceName, double picturesPerSecond,
        Func<Broadcaster, ServerMetrics, TimeProvider, IVideoPipeline> createPipeline, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers,
        ServerSecurity? security, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var metrics = new ServerMetrics(time);
        var activity = new ViewerActivityLog(loggers.CreateLogger<Broadcaster>(), time);
        var audience = new Audience(options.MaxViewers, activity, metrics, time);
        var broadcaster = new Broadcaster(new FrameFormat(options.Width, options.Height), options.Latency, options.SlowViewers, picturesPerSecond, activity, metrics,
            time);
        var pipeline = createPipeline(broadcaster, metrics, time);
        metrics.Observe(() => broadcaster.TotalSkippedPictures, () => pipeline.SourceRestarts);
        var webSettings = new WebSettings(options.Bind, options.HttpPort, options.WebSocketPort, options.MaxViewers, options.BitrateKbps, options.AllowedOrigins,
            new PageLook(options.Color, options.BackgroundColor), options.SlowViewers.GiveUpAfter,
            new StreamDescription(sourceName, options.Width, options.Height, options.FrameRate, options.BitrateKbps), security?.Access, security?.Tls);
        WebServer web;
        try
        {
            web = await WebServer.StartAsync(webSettings, assets, audience, broadcaster, pipeline.Jpeg, metrics, loggers, cancellationToken);
        }
        catch
        {
            await pipeline.DisposeAsync();
            metrics.Dispose();
            throw;
        }

        var publishers = options.Publish.Select(target =>
            new Publisher(target, broadcaster, PublishedCodec.Mpeg1, ffmpegPath, picturesPerSecond, time, loggers.CreateLogger<Publisher>())).ToList();
        return new StreamingServer(sourceName, audience, broadcaster, pipeline, web, metrics, activity, publishers, loggers.CreateLogger<StreamingServer>());
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
