using PiStreaming.Fanout;

namespace PiStreaming.Web;

/// <summary>
/// An HTTP response that streams to one viewer (MJPEG, MPEG-1 for media players): the token it writes
/// with fires when the client leaves or the server shuts down, and a viewer closed as too slow is
/// aborted at once, because a write stuck on a full TCP window would never end on its own.
/// </summary>
internal sealed class ViewerConnection : IDisposable
{
    private readonly CancellationTokenSource stop;

    public ViewerConnection(HttpContext context, Viewer viewer)
    {
        stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        viewer.OnCloseRequested(reason =>
        {
            if (reason == ViewerCloseReason.TooSlow)
            {
                context.Abort();
            }

            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The connection has ended already.
            }
        });
    }

    /// <summary>Fires when the client has left or the server wants the viewer gone.</summary>
    public CancellationToken Stopping => stop.Token;

    /// <summary>For a refused viewer: 503 with a Retry-After, before anything else is sent.</summary>
    public static Task RefuseAsync(HttpContext context, string reason) => PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, reason, retryAfterSeconds: 5);

    public void Dispose() => stop.Dispose();
}
