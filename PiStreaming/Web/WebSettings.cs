using System.Net;

namespace PiStreaming.Web;

/// <summary>What the web layer needs to know, as plain values (the composition root fills it in from the command line).</summary>
/// <param name="Bind">the address to listen on; null means every interface.</param>
/// <param name="MaxViewers">for the listen backlog and the connection cap.</param>
/// <param name="BitrateKbps">the video's bitrate, to size the sockets' send buffers.</param>
/// <param name="AllowedOrigins">origins besides the page's own host whose pages may open the video ("*": any).</param>
/// <param name="GiveUpAfter">how long a write to a streaming viewer may take before the viewer is dropped.</param>
internal sealed record WebSettings(
    IPAddress? Bind,
    int HttpPort,
    int WebSocketPort,
    int MaxViewers,
    int BitrateKbps,
    IReadOnlyList<string> AllowedOrigins,
    PageLook Page,
    TimeSpan GiveUpAfter);

/// <summary>The page's colours (the picture's size comes from the stream).</summary>
internal sealed record PageLook(string Color, string BackgroundColor);
