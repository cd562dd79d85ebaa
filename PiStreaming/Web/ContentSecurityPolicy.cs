using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace PiStreaming.Web;

/// <summary>
/// The page's Content-Security-Policy: exactly what it needs and nothing more. Its own inline script
/// and style (by their hashes, after the template is filled in), jsmpg.js, the snapshot and the MJPEG
/// stream from the same origin, and a connection to the video WebSocket (the status page: to its own
/// origin, for /status); nothing else.
/// </summary>
internal static partial class ContentSecurityPolicy
{
    /// <param name="html">the page as it is sent.</param>
    /// <param name="connectTo">where the page connects, e.g. ws://camera.local:8082/video, or 'self'.</param>
    /// <param name="allowedOrigins">origins that may embed the page in a frame ("*": any).</param>
    public static string For(string html, string connectTo, IReadOnlyList<string> allowedOrigins)
    {
        var scripts = InlineBlocks(html, "script");
        var styles = InlineBlocks(html, "style");
        var frameAncestors = allowedOrigins.Contains(OriginPolicy.AnyOrigin) ? "*" : string.Join(' ', ["'self'", .. allowedOrigins]);
        return string.Join("; ",
            "default-src 'none'",
            $"script-src 'self' {scripts}".TrimEnd(),
            $"style-src {styles}".TrimEnd(),
            $"connect-src {connectTo}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
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
