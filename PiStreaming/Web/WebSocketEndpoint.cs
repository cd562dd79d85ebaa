using PiStreaming.Broadcasting;

namespace PiStreaming.Web;

/// <summary>The video port: any path upgrades to a WebSocket and becomes a viewer.</summary>
public static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, Broadcaster broadcaster)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "websocket";
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        await broadcaster.ServeAsync(socket, remote, context.RequestAborted);
    }
}
