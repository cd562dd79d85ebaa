using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PiStreaming.Web;

/// <summary>
/// Fills in the page template. @ADDRESS@ becomes the video WebSocket on the page's own origin: the host
/// and port the browser itself used (its Host header) and <see cref="VideoPath"/>, so the page works
/// through host names, IP addresses, port forwarding and proxies, and sees one origin. @STILL@,
/// the picture shown until the video starts, is the newest JPEG itself when there is a recent one (it
/// then arrives with the page, with no request of its own), otherwise the snapshot's address.
/// @H264ADDRESS@ is the H.264 WebSocket beside it, and @CODECS@ the streams offered ("mpeg1 h264").
/// </summary>
internal sealed class IndexPage(string template, PageLook look, IReadOnlyList<string> allowedOrigins, bool mpeg1 = true, bool h264 = false)
{
    /// <summary>Where the page port serves the MPEG-1 video WebSocket.</summary>
    public const string VideoPath = "/video";

    /// <summary>Where both ports serve the H.264 video WebSocket.</summary>
    public const string H264VideoPath = "/video.h264";

    /// <param name="requestHost">the request's Host header: host name or address, and the port unless it is the scheme's default.</param>
    /// <param name="localAddress">and <paramref name="localPort"/>: where the request came in, for a request without a usable Host.</param>
    /// <param name="still">a recent JPEG of the camera, if there is one.</param>
    public RenderedPage Render(string? requestHost, IPAddress? localAddress, int localPort, ReadOnlyMemory<byte>? still = null)
    {
        var host = IsSafeHost(requestHost) ? requestHost! : $"{FormatAddress(localAddress)}:{localPort.ToString(CultureInfo.InvariantCulture)}";
        var address = host + VideoPath;
        var h264Address = host + H264VideoPath;
        var codecs = string.Join(' ', new[] { mpeg1 ? "mpeg1" : null, h264 ? "h264" : null }.OfType<string>());
        var html = template
            .Replace("@ADDRESS@", address, StringComparison.Ordinal)
            .Replace("@H264ADDRESS@", h264Address, StringComparison.Ordinal)
            .Replace("@CODECS@", codecs, StringComparison.Ordinal)
            .Replace("@STILL@", still is { } jpeg ? "data:image/jpeg;base64," + Convert.ToBase64String(jpeg.Span) : "snapshot.jpg", StringComparison.Ordinal)
            .Replace("@WIDTH@", look.Format.Width.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@HEIGHT@", look.Format.Height.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@FRAMERATE@", look.FrameRate.ToString("0.###", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@COLOR@", look.Color, StringComparison.Ordinal)
            .Replace("@BGCOLOR@", look.BackgroundColor, StringComparison.Ordinal);
        string[] connections = [.. mpeg1 ? [$"ws://{address}"] : Array.Empty<string>(), .. h264 ? [$"ws://{h264Address}"] : Array.Empty<string>()];
        return new RenderedPage(html, ContentSecurityPolicy.For(html, connections, allowedOrigins, mediaFromBlobs: h264));
    }

    // Kestrel already rejects malformed Host headers; this also keeps anything but a plain
    // host name or address literal out of the page's script.
    private static bool IsSafeHost(string? host) =>
        !string.IsNullOrEmpty(host) && host.Length <= 255 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']');

    private static string FormatAddress(IPAddress? address)
    {
        if (address is null)
        {
            return "localhost";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
    }
}

/// <summary>The filled-in page and the Content-Security-Policy that fits it.</summary>
internal sealed record RenderedPage(string Html, string ContentSecurityPolicy);
