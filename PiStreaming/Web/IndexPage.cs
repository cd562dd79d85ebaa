using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PiStreaming.Web;

/// <summary>
/// Fills in the page template. The page opens the video WebSocket at <see cref="VideoPath"/> on its own
/// origin, ws or wss as the page itself came (its location), so it works through host names, IP
/// addresses, port forwarding, https and reverse proxies; @ADDRESS@ is that address as the server sees it
/// (the host and port the browser used, its Host header), which the Content-Security-Policy names. @STILL@,
/// the picture shown until the video starts, is the newest JPEG itself when there is a recent one (it
/// then arrives with the page, with no request of its own), otherwise the snapshot's address. @LOGOUT@ is a
/// log-out button when the camera is private, otherwise nothing. @CODECS@ names the streams offered
/// ("mpeg1 h264"); the H.264 one is at <see cref="H264VideoPath"/> beside the MPEG-1 one.
/// </summary>
/// <param name="isPrivate">viewers have logged in (the page offers to log out).</param>
/// <param name="mpeg1">and <paramref name="h264"/>: the streams offered.</param>
internal sealed class IndexPage(string template, PageLook look, IReadOnlyList<string> allowedOrigins, bool isPrivate = false, bool mpeg1 = true, bool h264 = false)
{
    private const string LogoutForm = "<form id=\"logout\" method=\"post\" action=\"logout\"><button type=\"submit\">log out</button></form>";

    /// <summary>Where the page port serves the MPEG-1 video WebSocket.</summary>
    public const string VideoPath = "/video";

    /// <summary>Where both ports serve the H.264 video WebSocket.</summary>
    public const string H264VideoPath = "/video.h264";

    /// <param name="requestHost">the request's Host header: host name or address, and the port unless it is the scheme's default.</param>
    /// <param name="localAddress">and <paramref name="localPort"/>: where the request came in, for a request without a usable Host.</param>
    /// <param name="format">the video's size now.</param>
    /// <param name="still">a recent JPEG of the camera, if there is one.</param>
    public RenderedPage Render(string? requestHost, IPAddress? localAddress, int localPort, FrameFormat format, ReadOnlyMemory<byte>? still = null)
    {
        var host = IsSafeHost(requestHost) ? requestHost! : $"{FormatAddress(localAddress)}:{localPort.ToString(CultureInfo.InvariantCulture)}";
        var address = host + VideoPath;
        var h264Address = host + H264VideoPath;
        var codecs = string.Join(' ', new[] { mpeg1 ? "mpeg1" : null, h264 ? "h264" : null }.OfType<string>());
        var html = template
            .Replace("@ADDRESS@", address, StringComparison.Ordinal)
            .Replace("@CODECS@", codecs, StringComparison.Ordinal)
            .Replace("@STILL@", still is { } jpeg ? "data:image/jpeg;base64," + Convert.ToBase64String(jpeg.Span) : "snapshot.jpg", StringComparison.Ordinal)
            .Replace("@WIDTH@", format.Width.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@HEIGHT@", format.Height.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@FRAMERATE@", look.FrameRate.ToString("0.###", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@COLOR@", look.Color, StringComparison.Ordinal)
            .Replace("@BGCOLOR@", look.BackgroundColor, StringComparison.Ordinal)
            .Replace("@LOGOUT@", isPrivate ? LogoutForm : "", StringComparison.Ordinal);
        string[] connections = [.. mpeg1 ? [address] : Array.Empty<string>(), .. h264 ? [h264Address] : Array.Empty<string>()];
        return new RenderedPage(html, ContentSecurityPolicy.For(html, connections, allowedOrigins, postsToSelf: isPrivate, mediaFromBlobs: h264));
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
