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

    /// <summary>
    /// Serves one streaming response: HEAD gets the headers only; otherwise the client is admitted as a
    /// viewer of <paramref name="output"/> (or refused with 503 and a Retry-After), the headers are sent,
    /// and <paramref name="stream"/> writes until the client leaves or the server wants it gone.
    /// </summary>
    public static async Task ServeAsync(HttpContext context, Audience audience, string output, Action<HttpResponse> writeHeaders,
        Func<Viewer, CancellationToken, Task> stream)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            writeHeaders(context.Response);
            return;
        }

        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        if (audience.TryAdmit(output, remote, out var refusal) is not { } viewer)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, audience.Describe(refusal), retryAfterSeconds: 5);
            return;
        }

        try
        {
            using var connection = new ViewerConnection(context, viewer);
            writeHeaders(context.Response);
            await context.Response.StartAsync(connection.Stopping);
            await stream(viewer, connection.Stopping);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The viewer left, or the server is stopping.
        }
        finally
        {
            audience.Leave(viewer);
        }
    }

    public void Dispose() => stop.Dispose();
}
