using System.Globalization;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Pipeline;

namespace PiStreaming.Web;

/// <summary>
/// GET /stream.mjpg: JPEG after JPEG as multipart/x-mixed-replace, which a plain &lt;img&gt; shows
/// (picamera's web-streaming recipe: boundary FRAME, each part with Content-Type and Content-Length).
/// Every viewer takes the newest picture when it is ready for the next, so a slow one gets fewer
/// pictures, never a queue of old ones; one whose write does not go through within
/// <c>giveUpAfter</c> is dropped. <c>?fps=N</c> sends at most N pictures a second.
/// </summary>
internal sealed class MjpegEndpoint(Audience audience, JpegOutput jpeg, TimeSpan giveUpAfter, OutputCounters counters, TimeProvider time)
{
    public const string Output = "stream.mjpg";
    public const string Boundary = "FRAME";

    public async Task HandleAsync(HttpContext context)
    {
        if (!TryReadRate(context.Request.Query["fps"], out var minimumInterval))
        {
            await PlainText.WriteAsync(context, StatusCodes.Status400BadRequest, "fps must be a number of pictures per second from 0.1 to 60");
            return;
        }

        await ViewerConnection.ServeAsync(context, audience, Output, WriteHeaders, async (viewer, stopping) =>
        {
            using var lease = jpeg.Watch();
            await StreamAsync(context, viewer, minimumInterval, stopping);
        });
    }

    private async Task StreamAsync(HttpContext context, Viewer viewer, TimeSpan minimumInterval, CancellationToken stopping)
    {
        var body = context.Response.Body;
        long sent = 0;
        while (true)
        {
            var picture = await jpeg.Pictures.NextAsync(sent, stopping);
            var started = time.GetTimestamp();
            using (var write = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                write.CancelAfter(giveUpAfter);
                try
                {
                    await body.WriteAsync(PartHeader(picture.Data.Length), write.Token);
                    await body.WriteAsync(picture.Data, write.Token);
                    await body.WriteAsync("\r\n"u8.ToArray(), write.Token);
                    await body.FlushAsync(write.Token);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    audience.GaveUp(viewer);
                    context.Abort();
                    return;
                }
            }

            counters.Sent(picture.Data.Length, picture.FrameReadAt);
            sent = picture.Number;
            var wait = minimumInterval - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stopping);
            }
        }
    }

    private static void WriteHeaders(HttpResponse response)
    {
        response.ContentType = $"multipart/x-mixed-replace; boundary={Boundary}";
        response.Headers.CacheControl = "no-store";
        // Proxies such as nginx would otherwise buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    private static byte[] PartHeader(int length) =>
        System.Text.Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {length.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");

    /// <summary>Reads ?fps= (absent: every picture).</summary>
    public static bool TryReadRate(Microsoft.Extensions.Primitives.StringValues value, out TimeSpan minimumInterval)
    {
        minimumInterval = TimeSpan.Zero;
        if (value.Count == 0)
        {
            return true;
        }

        if (value.Count > 1 || !double.TryParse(value[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var fps) || fps is < 0.1 or > 60)
        {
            return false;
        }

        minimumInterval = TimeSpan.FromSeconds(1 / fps);
        return true;
    }
}
