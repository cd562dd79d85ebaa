namespace PiStreaming.Web;

/// <summary>
/// Which web pages may open the video WebSocket (against cross-site WebSocket hijacking: any page a
/// viewer opens could otherwise watch the camera through the viewer's browser). Allowed: the page's
/// own host (the Origin's host name equals the host the WebSocket request was made to; the ports
/// differ by design), origins listed with --allow-origin (<c>*</c> allows any), and clients that send
/// no Origin at all (media tools, scripts; browsers always send one).
/// </summary>
internal sealed class OriginPolicy
{
    public const string AnyOrigin = "*";

    private readonly bool anyOrigin;
    private readonly HashSet<string> allowed;

    /// <param name="allowedOrigins">"*" or origins such as https://dashboard.example:8123, as <see cref="TryNormalize"/> accepts them.</param>
    public OriginPolicy(IEnumerable<string> allowedOrigins)
    {
        var list = allowedOrigins.ToList();
        anyOrigin = list.Contains(AnyOrigin);
        allowed = list.Where(o => o != AnyOrigin).Select(o => TryNormalize(o) ?? throw new ArgumentException($"not an origin: {o}", nameof(allowedOrigins)))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <param name="origin">the request's Origin header, null when it has none.</param>
    /// <param name="requestHost">the host name the request was made to (its Host header, without the port).</param>
    public bool Allows(string? origin, string requestHost)
    {
        if (origin is null || anyOrigin)
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false; // "null" (sandboxed frames, files) and anything else that is not a web page's origin
        }

        return (requestHost.Length > 0 && string.Equals(uri.Host, requestHost, StringComparison.OrdinalIgnoreCase))
            || allowed.Contains(Normalize(uri));
    }

    /// <summary>scheme://host[:port] in lower case without a default port, or null when <paramref name="text"/> is no http(s) origin.</summary>
    public static string? TryNormalize(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
            && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? Normalize(uri)
            : null;

    private static string Normalize(Uri uri) => uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
}
