using System.Net;
using Microsoft.Extensions.Logging;
using PiStreaming.Options;
using PiStreaming.Processes;
using PiStreaming.Relay;
using PiStreaming.Sources;
using PiStreaming.Web;

namespace PiStreaming.Tests.Support;

/// <summary>The real server, in this process, on ephemeral loopback ports.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly ILoggerFactory loggers;

    private readonly IFrameSource? source;

    private readonly ServerSecurity security;

    private TestServer(StreamingServer server, IFrameSource? source, ILoggerFactory loggers, ServerOptions options, ServerSecurity security)
    {
        this.security = security;
        Server = server;
        this.source = source;
        this.loggers = loggers;
        Options = options;
    }

    public StreamingServer Server { get; }
    public ServerOptions Options { get; }
    public Uri HttpUri => new($"{(security.Tls is null ? "http" : "https")}://127.0.0.1:{Server.HttpPort}/");
    public Uri WebSocketUri => new($"{(security.Tls is null ? "ws" : "wss")}://127.0.0.1:{Server.WebSocketPort}/");

    /// <param name="ffmpegPath">the encoders' ffmpeg (default: the one on PATH), e.g. a wrapper that makes one of them misbehave.</param>
    public static async Task<TestServer> StartAsync(ServerOptions? options = null, IFrameSource? source = null, string? ffmpegPath = null)
    {
        options = (options ?? new ServerOptions()) with { HttpPort = 0, WebSocketPort = 0, Bind = IPAddress.Loopback };
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true));
        source ??= FrameSourceFactory.Create(options, loggers, ExecutableLocator.Find("ffmpeg") ?? "ffmpeg");
        var ffmpeg = ffmpegPath ?? ExecutableLocator.Find("ffmpeg") ?? throw new InvalidOperationException("ffmpeg is needed for these tests (./build.sh test installs it)");
        var security = ServerSecurity.Load(options, loggers, TimeProvider.System);
        var server = await StreamingServer.StartAsync(options, source, StaticAssets.Load(StaticAssets.DefaultDirectory), ffmpeg, loggers, CancellationToken.None,
            security);
        return new TestServer(server, source, loggers, options, security);
    }

    /// <summary>A relay of <paramref name="origin"/> (a video WebSocket or /stream.mpg address), in this process.</summary>
    public static async Task<TestServer> StartRelayAsync(Uri origin, ServerOptions? options = null)
    {
        options = (options ?? new ServerOptions()) with { HttpPort = 0, WebSocketPort = 0, Bind = IPAddress.Loopback, Source = $"relay:{origin}" };
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stream = await RelayOrigin.ConnectAsync(origin, timeout.Token);
        var ffmpeg = ExecutableLocator.Find("ffmpeg") ?? throw new InvalidOperationException("ffmpeg is needed for these tests (./build.sh test installs it)");
        var security = ServerSecurity.Load(options, loggers, TimeProvider.System);
        var server = await StreamingServer.StartRelayAsync(options, stream, StaticAssets.Load(StaticAssets.DefaultDirectory), ffmpeg, loggers,
            CancellationToken.None, security);
        return new TestServer(server, null, loggers, options, security);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        await Server.DisposeAsync();
        if (source is not null)
        {
            await source.DisposeAsync();
        }

        await security.DisposeAsync();
        loggers.Dispose();
    }
}
