using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Pipeline;
using PiStreaming.Access;
using PiStreaming.Processes;
using PiStreaming.Web.Access;

namespace PiStreaming.Web;

/// <summary>
/// Kestrel on two ports: the page (HTTP, and the video WebSocket at /video) and the video (WebSocket, any path);
/// both with TLS when a certificate is given, and both private when credentials are.
/// </summary>
internal sealed class WebServer : IAsyncDisposable
{
    // Connections that send nothing, or not a whole request, are closed after about 10 s: Kestrel checks
    // once a second and adds that second to every timeout, so 9 s here closes them after 10-11 s.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(9);

    /// <summary>
    /// How much a connection's writer may put into the socket transport's output pipe before its flush waits
    /// for the socket (Kestrel's default is 64 KiB). A viewer that stops reading holds that much of Kestrel's
    /// pinned memory until it is closed, besides the kernel's send buffer; a healthy one's pictures pass
    /// through at once, and a picture larger than this still goes in whole (its flush waits until the socket
    /// has taken it).
    /// </summary>
    public const int WriteBufferBytes = 16 * 1024;

    private readonly WebApplication app;
    private readonly Func<ListenOptions> httpListener;
    private readonly Func<ListenOptions> webSocketListener;

    private readonly FailedLogins failedLogins;

    private WebServer(WebApplication app, Func<ListenOptions> httpListener, Func<ListenOptions> webSocketListener, FailedLogins failedLogins)
    {
        this.app = app;
        this.failedLogins = failedLogins;
        this.httpListener = httpListener;
        this.webSocketListener = webSocketListener;
    }

    /// <summary>The bound ports (the real ones when 0 was asked for).</summary>
    public int HttpPort => ((IPEndPoint)httpListener().EndPoint).Port;

    public int WebSocketPort => ((IPEndPoint)webSocketListener().EndPoint).Port;

    /// <exception cref="IOException">a port cannot be bound (e.g. in use).</exception>
    public static async Task<WebServer> StartAsync(
        WebSettings options, StaticAssets assets, Audience audience, VideoStreams streams, JpegOutput jpeg, ServerMetrics metrics, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        // The program handles Ctrl+C and SIGTERM itself and stops the parts in order.
        builder.Services.AddSingleton<IHostLifetime, ProgramControlledLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        // /metrics: the server's instruments (ServerMetrics) in Prometheus's format, read fresh at every scrape.
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("pistreaming"))
            .WithMetrics(meters => meters
                .AddMeter(ServerMetrics.MeterName)
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        // A thousand viewers may connect in the same instant; the default backlog (512) would drop
        // some of their SYNs and make them retry a second later.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.Backlog = Math.Max(512, options.MaxViewers + ConnectionLimit.NonViewerHeadroom);
            sockets.MaxWriteBufferSize = WriteBufferBytes;
        });

        var logger = loggers.CreateLogger<WebServer>();
        var descriptors = DescriptorLimit.Current();
        var connections = new ConnectionLimit(ConnectionLimit.For(descriptors, DescriptorLimit.InUse(), options.MaxViewers), logger, TimeProvider.System);
        if (connections.Limit < options.MaxViewers)
        {
            logger.LogWarning("the file-descriptor limit ({Descriptors}) lets this server hold only {Limit} connections, fewer than --max-viewers {MaxViewers}; "
                + "raise it (ulimit -n, or LimitNOFILE= in a systemd unit)", descriptors, connections.Limit, options.MaxViewers);
        }

        builder.Services.AddSingleton<IConnectionListenerFactory>(services => new LimitedConnectionListener.Factory(
            new SocketTransportFactory(services.GetRequiredService<IOptions<SocketTransportOptions>>(), services.GetRequiredService<ILoggerFactory>()),
            connections));

        ListenOptions? http = null, webSocket = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Idle or half-done connections cost a socket each and block nobody (Kestrel is async); these
            // bound how long one that sends nothing, or an unfinished request or handshake, may hold it.
            kestrel.Limits.KeepAliveTimeout = IdleTimeout;
            kestrel.Limits.RequestHeadersTimeout = IdleTimeout;
            http = Listen(kestrel, options.Bind, options.HttpPort);
            webSocket = Listen(kestrel, options.Bind, options.WebSocketPort);
            http.Use(LimitedConnectionListener.ReleaseOnEnd(connections));
            webSocket.Use(LimitedConnectionListener.ReleaseOnEnd(connections));
            if (options.Tls is { } certificates)
            {
                TlsListener.Use(http, certificates, TimeProvider.System);
                TlsListener.Use(webSocket, certificates, TimeProvider.System);
            }

            // Linux grows a socket's send buffer up to megabytes, which for a viewer that stops reading is a
            // minute of video hidden from the slow-viewer policy (and that much latency for a slow one). A
            // quarter of a second at the video's bitrate (at least 64 KiB) suffices for real network paths:
            // every video WebSocket gets that when it upgrades (WebSocketEndpoint, on either port); the page
            // port's other streams (JPEGs, the media players' stream) at least 256 KiB.
            http.Use(SendBuffer(Math.Max(256 * 1024, SendBufferSize(options.BitrateKbps))));
        });

        var failedLogins = new FailedLogins(logger, TimeProvider.System);
        if (options.Access is { } access)
        {
            AccessSchemes.Add(builder.Services, access, failedLogins);
        }

        var app = builder.Build();
        var server = new WebServer(app, () => http!, () => webSocket!, failedLogins);
        var origins = new OriginPolicy(options.AllowedOrigins);
        var video = streams.Mpeg1 is { } mpeg1
            ? new WebSocketEndpoint(audience, mpeg1, JsmpHeader.Create, origins, SendBufferSize(options.BitrateKbps),
                metrics.Output(WebSocketEndpoint.Output), logger, TimeProvider.System)
            : null;
        var h264Video = streams.H264Viewers is { } h264
            ? new WebSocketEndpoint(audience, h264, H264Header.Create, origins, SendBufferSize(options.BitrateKbps),
                metrics.Output(WebSocketEndpoint.H264Output), logger, TimeProvider.System)
            : null;
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        if (options.Tls is not null)
        {
            app.Use(TlsListener.RedirectPlainHttp);
        }

        // Pings keep NAT and proxy mappings open, and a peer that answers none is dropped even when
        // no video flows (a viewer receiving video that stops reading is closed by its outbox first).
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15), KeepAliveTimeout = TimeSpan.FromSeconds(15) });
        if (options.Access is not null)
        {
            app.Use(AccessSchemes.RefuseWhileBlocked);
            app.UseAuthentication();
        }

        // The video port answers every path with the video (H.264 at its own path, MPEG-1 on any other, as
        // the original server), before routing: it is authorized here, by the same policy that covers the routes.
        app.Use(async (context, next) =>
        {
            if (context.Connection.LocalPort != server.WebSocketPort)
            {
                await next(context);
            }
            else if (options.Access is null || await AccessSchemes.AuthorizeAsync(context))
            {
                var endpoint = context.Request.Path == IndexPage.H264VideoPath && h264Video is not null ? h264Video : video;
                if (endpoint is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                }
                else
                {
                    await endpoint.HandleAsync(context);
                }
            }
        });
        app.UseRouting();
        if (options.Access is not null)
        {
            // Every route, including ones added later, needs a logged-in user (the fallback policy); only
            // the login page is open.
            app.UseAuthorization();
            LoginEndpoints.Map(app);
        }

        HttpRoutes.Map(app, new IndexPage(assets.IndexTemplate, options.Page, options.AllowedOrigins, options.Access is not null, video is not null,
                h264Video is not null), () => (streams.Mpeg1 ?? streams.H264Viewers)!.Format, assets, jpeg, video, h264Video,
            new MjpegEndpoint(audience, jpeg, options.GiveUpAfter, metrics.Output(MjpegEndpoint.Output), TimeProvider.System), new SnapshotEndpoint(jpeg),
            streams.Mpeg1 is { } mpeg1Stream ? new MediaPlayerEndpoint(audience, mpeg1Stream, metrics.Output(MediaPlayerEndpoint.Output)) : null,
            streams.H264Viewers is { } h264Stream ? new MediaPlayerEndpoint(audience, h264Stream, metrics.Output(MediaPlayerEndpoint.H264Output)) : null,
            new StatusEndpoint(options.Stream, jpeg, metrics), options.AllowedOrigins);

        await app.StartAsync(cancellationToken);
        return server;
    }

    public Task StopAsync(CancellationToken cancellationToken) => app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await failedLogins.DisposeAsync();
    }

    private static int SendBufferSize(int bitrateKbps) => Math.Max(64 * 1024, bitrateKbps * 1000 / 8 / 4);

    private static Func<ConnectionDelegate, ConnectionDelegate> SendBuffer(int bytes) => next => connection =>
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.SendBufferSize = bytes;
        }

        return next(connection);
    };

    private static ListenOptions Listen(KestrelServerOptions kestrel, IPAddress? bind, int port)
    {
        ListenOptions? listener = null;
        if (bind is null)
        {
            kestrel.ListenAnyIP(port, o => listener = o);
        }
        else
        {
            kestrel.Listen(bind, port, o => listener = o);
        }

        return listener!;
    }

    private sealed class ProgramControlledLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
