using PiStreaming.Broadcasting;
using PiStreaming.Logging;

namespace PiStreaming.Web;

/// <summary>
/// The video port: any path upgrades to a WebSocket and becomes a viewer, if the page asking is allowed
/// to (<see cref="OriginPolicy"/>). Everything else is answered before any upgrade.
/// </summary>
internal sealed class WebSocketEndpoint(Broadcaster broadcaster, OriginPolicy origins, ILogger logger, TimeProvider time)
{
    private const string SupportedVersion = "13"; // RFC 6455

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
                logger.LogWarning("refused a video connection from {Address}: origin {Origin} is not the page's host {Host} (allow it with --allow-origin){More}",
                    remote, Sanitize(origin.ToString()), Sanitize(request.Host.Host), LogThrottle.More(more));
            }

            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await broadcaster.ServeAsync(socket, remote, context.RequestAborted);
    }

    // What a client sent goes into the log only as printable ASCII, and not much of it.
    private static string Sanitize(string text)
    {
        var clean = new string([.. text.Take(100).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
        return text.Length > 100 ? clean + "..." : clean;
    }
}
