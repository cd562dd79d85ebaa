using PiStreaming.Fanout;
using PiStreaming.Metrics;

namespace PiStreaming.Web;

/// <summary>
/// GET /stream.mpg: the MPEG-1 stream over plain HTTP for media players (VLC, mpv, ffplay). A player
/// starts at the newest I picture with its sequence header, like a WebSocket viewer, and one that falls
/// behind skips ahead the same way; the bytes are those the WebSocket viewers get, without the jsmp header.
/// </summary>
internal sealed class MediaPlayerEndpoint(Audience audience, Broadcaster broadcaster, OutputCounters counters)
{
    public const string Output = "stream.mpg";

    public Task HandleAsync(HttpContext context) =>
        ViewerConnection.ServeAsync(context, audience, Output, WriteHeaders,
            (viewer, stopping) => broadcaster.WatchAsync(viewer, outbox => SendAsync(context.Response.Body, outbox, stopping)));

    private async Task SendAsync(Stream body, ViewerOutbox outbox, CancellationToken stopping)
    {
        while (await outbox.WaitAsync(stopping))
        {
            while (outbox.TryTake(out var next))
            {
                var bytes = 0;
                foreach (var message in next.Messages)
                {
                    await body.WriteAsync(message, stopping);
                    bytes += message.Length;
                }

                // Counted as written into the response; the flush below hands the pictures to the socket.
                counters.Sent(bytes, next.Picture.Picture.FrameReadAt);
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
