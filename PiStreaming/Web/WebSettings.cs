using System.Net;

namespace PiStreaming.Web;

/// <summary>What the web layer needs to know, as plain values (the composition root fills it in from the command line).</summary>
/// <param name="Bind">the address to listen on; null means every interface.</param>
/// <param name="MaxViewers">for the listen backlog and the connection cap.</param>
/// <param name="BitrateKbps">the video's bitrate, to size the sockets' send buffers.</param>
/// <param name="AllowedOrigins">origins besides the page's own host whose pages may open the video ("*": any).</param>
/// <param name="GiveUpAfter">how long a write to a streaming viewer may take before the viewer is dropped.</param>
/// <param name="Stream">what is streamed, for /status.</param>
/// <param name="Access">who may watch; null: anyone who can reach the ports.</param>
/// <param name="Tls">the certificate for https and wss on both ports; null: plain http and ws.</param>
internal sealed record WebSettings(
    IPAddress? Bind,
    int HttpPort,
    int WebSocketPort,
    int MaxViewers,
    int BitrateKbps,
    IReadOnlyList<string> AllowedOrigins,
    PageLook Page,
    TimeSpan GiveUpAfter,
    StreamDescription Stream,
    Access.WebAccess? Access = null,
    Tls.CertificateReloader? Tls = null);

/// <summary>What is streamed: the source's name, the picture size, the camera's frame rate and the video's bitrate.</summary>
internal sealed record StreamDescription(string Source, int Width, int Height, double FrameRate, int BitrateKbps);

/// <summary>The page's colours, and the camera's frame rate (for Media Source Extensions); the picture's size comes from the stream.</summary>
internal sealed record PageLook(string Color, string BackgroundColor, double FrameRate = 24);
