using PiStreaming.Pipeline;

namespace PiStreaming.Web;

/// <summary>
/// GET /snapshot.jpg: the newest camera picture as a JPEG, at most one frame interval older than the
/// live picture. While the JPEG encoder runs (someone watches MJPEG, or a snapshot was asked for in the
/// last few seconds) it is answered at once; otherwise the first request starts the encoder and waits
/// for its first picture. While the camera delivers nothing: 503 with a Retry-After.
/// </summary>
internal sealed class SnapshotEndpoint(JpegOutput jpeg)
{
    // Starting ffmpeg and encoding its first picture takes ~0.25 s here, several times that on a Pi Zero.
    private static readonly TimeSpan FirstPictureTimeout = TimeSpan.FromSeconds(3);

    public async Task HandleAsync(HttpContext context)
    {
        if (!jpeg.CameraLive)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "the camera is not delivering pictures right now", retryAfterSeconds: 2);
            return;
        }

        using var lease = jpeg.Watch();
        var newest = jpeg.Pictures.Current;
        if (newest is null || jpeg.AgeOf(newest) > jpeg.FrameInterval)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(FirstPictureTimeout);
            try
            {
                newest = await jpeg.Pictures.NextAsync(newest?.Number ?? 0, timeout.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                await PlainText.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "no picture from the JPEG encoder yet", retryAfterSeconds: 2);
                return;
            }
        }

        var response = context.Response;
        response.ContentType = "image/jpeg";
        response.ContentLength = newest.Data.Length;
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(newest.Data, context.RequestAborted);
    }
}
