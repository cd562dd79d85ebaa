using Microsoft.Extensions.Logging;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Pipeline;
using PiStreaming.Sources;
using PiStreaming.Web;

namespace PiStreaming;

/// <summary>
/// The whole server: source -> encoder -> broadcaster -> viewers, with the web server beside it.
/// Stops in order: camera and encoder first, then viewers (asked to close, aborted after a timeout),
/// then the web server.
/// </summary>
public sealed class StreamingServer : IAsyncDisposable
{
    private static readonly TimeSpan ViewerCloseTimeout = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan WebStopTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan ActivitySummaryInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource stopping = new();
    private readonly IFrameSource source;
    private readonly Audience audience;
    private readonly Broadcaster broadcaster;
    private readonly WebServer web;
    private readonly ILogger logger;
    private Task summaries = Task.CompletedTask;

    private StreamingServer(IFrameSource source, Audience audience, Broadcaster broadcaster, WebServer web, Task pipeline, ILogger logger)
    {
        this.source = source;
        this.audience = audience;
        this.broadcaster = broadcaster;
        this.web = web;
        this.logger = logger;
        Completion = pipeline;
    }

    public int HttpPort => web.HttpPort;
    public int WebSocketPort => web.WebSocketPort;
    public int ViewerCount => audience.Count;

    /// <summary>Pictures skipped for viewers that could not keep up, since the start.</summary>
    public long SkippedPictures => broadcaster.TotalSkippedPictures;

    /// <summary>Completes when the source has no more frames, or faults when the pipeline fails.</summary>
    public Task Completion { get; private set; }

    /// <summary>Why the pipeline failed (a failure the server cannot recover from), once it has; otherwise null.</summary>
    public string? Failure => Completion.Exception?.InnerException is { } e ? Describe(e) : null;

    /// <exception cref="IOException">a port cannot be bound.</exception>
    public static async Task<StreamingServer> StartAsync(
        ServerOptions options, IFrameSource source, StaticAssets assets, string ffmpegPath, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var format = new FrameFormat(options.Width, options.Height);
        var activity = new ViewerActivityLog(loggers.CreateLogger<Broadcaster>(), TimeProvider.System);
        var audience = new Audience(options.MaxViewers, activity, TimeProvider.System);
        var broadcaster = new Broadcaster(options.Latency, options.SlowViewers, options.CodedFrameRate.Value, activity, TimeProvider.System);
        var web = await WebServer.StartAsync(options, assets, audience, broadcaster, loggers, cancellationToken);

        var pipeline = new StreamingPipeline(source, EncoderSettings.From(options, ffmpegPath, source.FlipsFrames), broadcaster, TimeProvider.System,
            loggers.CreateLogger<StreamingPipeline>());
        var server = new StreamingServer(source, audience, broadcaster, web, Task.CompletedTask, loggers.CreateLogger<StreamingServer>());
        server.Completion = Task.Run(() => pipeline.RunAsync(server.stopping.Token), CancellationToken.None);
        server.summaries = activity.RunSummariesAsync(ActivitySummaryInterval, () => broadcaster.TotalSkippedPictures, server.stopping.Token);
        return server;
    }

    /// <summary>Stops everything in order; a pipeline failure is left to <see cref="Failure"/>.</summary>
    public async Task StopAsync()
    {
        logger.LogInformation("stopping camera and encoder");
        await stopping.CancelAsync();
        await Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

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
        IOException => $"{source.Name} failed: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    public async ValueTask DisposeAsync()
    {
        await web.DisposeAsync();
        await source.DisposeAsync();
        stopping.Dispose();
    }
}
