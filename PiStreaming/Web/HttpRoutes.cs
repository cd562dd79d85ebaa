using PiStreaming.Pipeline;

namespace PiStreaming.Web;

/// <summary>
/// The web page port: / redirects to the page, the page, the decoders, the video WebSockets, the MJPEG
/// stream, snapshots, the streams for media players, and the server's status (/status, /status.html,
/// /metrics). A stream not offered (--codec) is not mapped (404). Routing answers 404 and 405 itself.
/// </summary>
internal static class HttpRoutes
{
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    // A still older than this is not worth showing in the page: the snapshot's address is given instead.
    private static readonly TimeSpan InlineStillAge = TimeSpan.FromSeconds(1);

    public static void Map(IEndpointRouteBuilder routes, IndexPage page, Func<FrameFormat> format, StaticAssets assets, JpegOutput jpeg, WebSocketEndpoint? video,
        WebSocketEndpoint? h264Video, MjpegEndpoint mjpeg, SnapshotEndpoint snapshot, MediaPlayerEndpoint? mediaPlayer, MediaPlayerEndpoint? h264MediaPlayer,
        StatusEndpoint status, IReadOnlyList<string> allowedOrigins)
    {
        // The video WebSockets on the page's own origin (the WebSocket port serves MPEG-1 on any path too).
        if (video is not null)
        {
            routes.MapGet(IndexPage.VideoPath, video.HandleAsync);
        }

        if (h264Video is not null)
        {
            routes.MapGet(IndexPage.H264VideoPath, h264Video.HandleAsync);
        }

        routes.MapMethods("/stream.mjpg", GetAndHead, mjpeg.HandleAsync);
        routes.MapMethods("/snapshot.jpg", GetAndHead, snapshot.HandleAsync);
        if (mediaPlayer is not null)
        {
            routes.MapMethods("/stream.mpg", GetAndHead, mediaPlayer.HandleAsync);
        }

        if (h264MediaPlayer is not null)
        {
            routes.MapMethods("/stream.h264", GetAndHead, h264MediaPlayer.HandleAsync);
        }

        routes.MapMethods("/", GetAndHead, (HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = "/index.html";
            context.Response.ContentLength = 0;
        });

        routes.MapMethods("/index.html", GetAndHead, (HttpContext context) =>
        {
            var still = jpeg.Pictures.Current is { } newest && jpeg.CameraLive && jpeg.AgeOf(newest) <= InlineStillAge ? newest.Data : (ReadOnlyMemory<byte>?)null;
            var rendered = page.Render(context.Request.Host.Value, context.Connection.LocalIpAddress, context.Connection.LocalPort, format(), still);
            // The page names the host it was asked for, so caches must not share it across hosts.
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ContentSecurityPolicy = rendered.ContentSecurityPolicy;
            return WriteAsync(context, System.Text.Encoding.UTF8.GetBytes(rendered.Html), "text/html; charset=utf-8");
        });

        routes.MapMethods("/jsmpg.js", GetAndHead, (HttpContext context) =>
            WriteAsync(context, assets.Decoder, "application/javascript"));
        routes.MapMethods("/jmuxer.min.js", GetAndHead, (HttpContext context) =>
            WriteAsync(context, assets.H264Muxer, "application/javascript"));

        // Prometheus scrapes /metrics (OpenTelemetry's exporter writes the exposition format).
        routes.MapPrometheusScrapingEndpoint("/metrics");
        routes.MapMethods("/status", GetAndHead, status.HandleAsync);
        var statusPage = System.Text.Encoding.UTF8.GetBytes(assets.StatusPage);
        var statusPolicy = ContentSecurityPolicy.For(assets.StatusPage, webSocketAddress: null, allowedOrigins);
        routes.MapMethods("/status.html", GetAndHead, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ContentSecurityPolicy = statusPolicy;
            return WriteAsync(context, statusPage, "text/html; charset=utf-8");
        });
    }

    // HEAD gets the same headers, Content-Length included; Kestrel drops the body itself.
    private static Task WriteAsync(HttpContext context, byte[] body, string contentType)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
