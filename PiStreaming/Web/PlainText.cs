namespace PiStreaming.Web;

/// <summary>A short plain-text answer for a request that cannot be served (bad query, nothing to show yet, server full).</summary>
internal static class PlainText
{
    public static Task WriteAsync(HttpContext context, int status, string message, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
