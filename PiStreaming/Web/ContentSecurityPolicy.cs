using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace PiStreaming.Web;

/// <summary>
/// The page's Content-Security-Policy: exactly what it needs and nothing more. Its own inline script
/// and style (by their hashes, after the template is filled in), jsmpg.js, the snapshot and the MJPEG
/// stream from the same origin, and a connection to the video WebSocket (ws or wss, as the page came); nothing
/// else, but for the log-out form's post to its own origin when the camera is private. The status page
/// connects to its own origin only (for /status).
/// </summary>
internal static partial class ContentSecurityPolicy
{
    /// <param name="html">the page as it is sent.</param>
    /// <param name="webSocketAddress">where the page connects, without the scheme, e.g. camera.local:8082/video; null: its own origin only.</param>
    /// <param name="allowedOrigins">origins that may embed the page in a frame ("*": any).</param>
    /// <param name="postsToSelf">the page has a form posting to its own origin (log out).</param>
    public static string For(string html, string? webSocketAddress, IReadOnlyList<string> allowedOrigins, bool postsToSelf = false)
    {
        var scripts = InlineBlocks(html, "script");
        var styles = InlineBlocks(html, "style");
        var frameAncestors = allowedOrigins.Contains(OriginPolicy.AnyOrigin) ? "*" : string.Join(' ', ["'self'", .. allowedOrigins]);
        return string.Join("; ",
            "default-src 'none'",
            $"script-src 'self' {scripts}".TrimEnd(),
            $"style-src {styles}".TrimEnd(),
            // 'self' also covers ws: and wss: to the page's own host (CSP 3), e.g. behind a proxy that changes the Host.
            webSocketAddress is null ? "connect-src 'self'" : $"connect-src 'self' ws://{webSocketAddress} wss://{webSocketAddress}",
            "img-src 'self' data:",
            "base-uri 'none'",
            postsToSelf ? "form-action 'self'" : "form-action 'none'",
            $"frame-ancestors {frameAncestors}");
    }

    private static string InlineBlocks(string html, string element) =>
        string.Join(' ', InlineBlock().Matches(html)
            .Where(m => m.Groups["element"].Value == element)
            .Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(m.Groups["body"].Value)))}'"));

    // Only bare <script> and <style> tags: <script src=...> loads a file and is covered by 'self'.
    [GeneratedRegex("<(?<element>script|style)>(?<body>.*?)</\\k<element>>", RegexOptions.Singleline)]
    private static partial Regex InlineBlock();
}
