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
/// </summary>
internal sealed class IndexPage(string template, PageLook look, IReadOnlyList<string> allowedOrigins)
{
    /// <summary>Where the page port serves the video WebSocket.</summary>
    public const string VideoPath = "/video";

    /// <param name="requestHost">the request's Host header: host name or address, and the port unless it is the scheme's default.</param>
    /// <param name="localAddress">and <paramref name="localPort"/>: where the request came in, for a request without a usable Host.</param>
    /// <param name="format">the video's size now.</param>
    /// <param name="still">a recent JPEG of the camera, if there is one.</param>
    public RenderedPage Render(string? requestHost, IPAddress? localAddress, int localPort, FrameFormat format, ReadOnlyMemory<byte>? still = null)
    {
        var host = IsSafeHost(requestHost) ? requestHost! : $"{FormatAddress(localAddress)}:{localPort.ToString(CultureInfo.InvariantCulture)}";
        var address = host + VideoPath;
        var html = template
            .Replace("@ADDRESS@", address, StringComparison.Ordinal)
            .Replace("@STILL@", still is { } jpeg ? "data:image/jpeg;base64," + Convert.ToBase64String(jpeg.Span) : "snapshot.jpg", StringComparison.Ordinal)
            .Replace("@WIDTH@", format.Width.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@HEIGHT@", format.Height.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@COLOR@", look.Color, StringComparison.Ordinal)
            .Replace("@BGCOLOR@", look.BackgroundColor, StringComparison.Ordinal);
        return new RenderedPage(html, ContentSecurityPolicy.For(html, $"ws://{address}", allowedOrigins));
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
