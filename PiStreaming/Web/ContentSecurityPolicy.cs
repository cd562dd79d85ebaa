using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace PiStreaming.Web;

/// <summary>
/// The page's Content-Security-Policy: exactly what it needs and nothing more. Its own inline script
/// and style (by their hashes, after the template is filled in), jsmpg.js and jmuxer.min.js, the snapshot and
/// the MJPEG stream from the same origin, connections to the video WebSockets, and (for H.264 through Media
/// Source Extensions) video from the blob: URL jmuxer makes; nothing else.
/// </summary>
internal static partial class ContentSecurityPolicy
{
    /// <param name="html">the page as it is sent.</param>
    /// <param name="webSocketUrl">where the page connects, e.g. ws://camera.local:8082/video.</param>
    /// <param name="allowedOrigins">origins that may embed the page in a frame ("*": any).</param>
    public static string For(string html, string webSocketUrl, IReadOnlyList<string> allowedOrigins) =>
        For(html, [webSocketUrl], allowedOrigins, mediaFromBlobs: false);

    /// <param name="webSocketUrls">every address the page may connect to.</param>
    /// <param name="mediaFromBlobs">the page may play a &lt;video&gt; from a blob: URL (Media Source Extensions).</param>
    public static string For(string html, IReadOnlyList<string> webSocketUrls, IReadOnlyList<string> allowedOrigins, bool mediaFromBlobs)
    {
        var scripts = InlineBlocks(html, "script");
        var styles = InlineBlocks(html, "style");
        var frameAncestors = allowedOrigins.Contains(OriginPolicy.AnyOrigin) ? "*" : string.Join(' ', ["'self'", .. allowedOrigins]);
        string[] media = mediaFromBlobs ? ["media-src blob:"] : [];
        return string.Join("; ", [
            "default-src 'none'",
            $"script-src 'self' {scripts}".TrimEnd(),
            $"style-src {styles}".TrimEnd(),
            $"connect-src {string.Join(' ', webSocketUrls)}",
            "img-src 'self' data:",
            .. media,
            "base-uri 'none'",
            "form-action 'none'",
            $"frame-ancestors {frameAncestors}"]);
    }

    private static string InlineBlocks(string html, string element) =>
        string.Join(' ', InlineBlock().Matches(html)
            .Where(m => m.Groups["element"].Value == element)
            .Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(m.Groups["body"].Value)))}'"));

    // Only bare <script> and <style> tags: <script src=...> loads a file and is covered by 'self'.
    [GeneratedRegex("<(?<element>script|style)>(?<body>.*?)</\\k<element>>", RegexOptions.Singleline)]
    private static partial Regex InlineBlock();
}
