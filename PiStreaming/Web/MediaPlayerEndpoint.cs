using PiStreaming.Fanout;

namespace PiStreaming.Web;

/// <summary>
/// GET /stream.mpg: the MPEG-1 stream over plain HTTP for media players (VLC, mpv, ffplay). A player
/// starts at the newest I picture with its sequence header, like a WebSocket viewer, and one that falls
/// behind skips ahead the same way; the bytes are those the WebSocket viewers get, without the jsmp header.
/// </summary>
internal sealed class MediaPlayerEndpoint(Audience audience, Broadcaster broadcaster)
{
    public const string Output = "stream.mpg";

    public async Task HandleAsync(HttpContext context)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            WriteHeaders(context.Response);
            return;
        }

        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        if (audience.TryAdmit(Output, remote, out var refusal) is not { } viewer)
        {
            await ViewerConnection.RefuseAsync(context, audience.Describe(refusal));
            return;
        }

        try
        {
            using var connection = new ViewerConnection(context, viewer);
            WriteHeaders(context.Response);
            await context.Response.StartAsync(connection.Stopping);
            await broadcaster.WatchAsync(viewer, outbox => SendAsync(context.Response.Body, outbox, connection.Stopping));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The player left, or the server is stopping.
        }
        finally
        {
            audience.Leave(viewer);
        }
    }

    private static async Task SendAsync(Stream body, ViewerOutbox outbox, CancellationToken stopping)
    {
        while (await outbox.WaitAsync(stopping))
        {
            while (outbox.TryTake(out var next))
            {
                foreach (var message in next.Messages)
                {
                    await body.WriteAsync(message, stopping);
                }
            }

            await body.FlushAsync(stopping);
        }
    }

    private static void WriteHeaders(HttpResponse response)
    {
        response.ContentType = "video/mpeg";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
    }
}
