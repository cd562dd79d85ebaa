using System.Net.WebSockets;
using PiStreaming.Fanout;
using PiStreaming.Logging;
using PiStreaming.Metrics;

namespace PiStreaming.Web;

/// <summary>
/// A video WebSocket: MPEG-1 on the video port (any path) and at /video on the page port, H.264 at
/// /video.h264 on both. An upgrade becomes a viewer, if the page asking is allowed to
/// (<see cref="OriginPolicy"/>). Everything else is answered before any upgrade.
/// </summary>
/// <param name="header">the first message every viewer gets, for the stream's size now (<see cref="JsmpHeader"/> or <see cref="H264Header"/>).</param>
/// <param name="sendBufferBytes">the kernel send buffer a viewer's socket gets (see WebServer).</param>
/// <param name="counters">where the pictures sent are counted; their name (<see cref="Output"/> or <see cref="H264Output"/>) is the output's in the log.</param>
internal sealed class WebSocketEndpoint(
    Audience audience, Broadcaster broadcaster, Func<FrameFormat, byte[]> header, OriginPolicy origins, int sendBufferBytes, OutputCounters counters,
    ILogger logger, TimeProvider time)
{
    /// <summary>The MPEG-1 output's name in the log, the metrics and the status.</summary>
    public const string Output = "video";

    /// <summary>The H.264 output's name in the log (and its path on the page port).</summary>
    public const string H264Output = "video.h264";

    /// <summary>1013 "try again later": the server is full.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    private const string SupportedVersion = "13"; // RFC 6455
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(1);

    private readonly LogThrottle originRefusals = new(TimeSpan.FromSeconds(10), time);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // A handshake that is wrong (no key, another version) gets 400; a plain request is told to upgrade.
            var triedToUpgrade = request.Headers.Upgrade.Count > 0 || request.Headers.SecWebSocketKey.Count > 0;
            context.Response.StatusCode = triedToUpgrade ? StatusCodes.Status400BadRequest : StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.SecWebSocketVersion = SupportedVersion;
            if (!triedToUpgrade)
            {
                context.Response.Headers.Upgrade = "websocket";
            }

            return;
        }

        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var origin = request.Headers.Origin;
        if (origin.Count > 1 || !origins.Allows(origin.Count == 1 ? origin[0] : null, request.Host.Host))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            if (originRefusals.TryLog(out var more))
            {
                logger.LogWarning("refused a {Output} connection from {Address}: origin {Origin} is not the page's host {Host} (allow it with --allow-origin){More}",
                    counters.Name, remote, Sanitize(origin.ToString()), Sanitize(request.Host.Host), LogThrottle.More(more));
            }

            return;
        }

        var viewer = audience.TryAdmit(counters.Name, remote, out var refusal);
        if (context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is { } tcp)
        {
            tcp.SendBufferSize = sendBufferBytes;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        if (viewer is null)
        {
            await RefuseAsync(socket, refusal == ViewerRefusal.Full ? TryAgainLater : WebSocketCloseStatus.EndpointUnavailable, audience.Describe(refusal));
            return;
        }

        try
        {
            await broadcaster.WatchAsync(viewer, (outbox, format) =>
                new WebSocketSession(socket, viewer, outbox, counters, time).RunAsync(header(format), context.RequestAborted));
        }
        finally
        {
            audience.Leave(viewer);
        }
    }

    private async Task RefuseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        using var timeout = new CancellationTokenSource(RefusalTimeout, time);
        try
        {
            await socket.CloseAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client did not answer the close in time or vanished; the connection ends anyway.
        }
    }

    // What a client sent goes into the log only as printable ASCII, and not much of it.
    private static string Sanitize(string text)
    {
        var clean = new string([.. text.Take(100).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
        return text.Length > 100 ? clean + "..." : clean;
    }
}
