using System.Net;
using PiStreaming.Fanout;

namespace PiStreaming.Options;

/// <summary>Everything the server was asked to do, after validation.</summary>
internal sealed record ServerOptions
{
    public const int MaxWidth = 1920;
    public const int MaxHeight = 1080;

    public int Width { get; init; } = 640;
    public int Height { get; init; } = 480;

    /// <summary>The camera's frame rate; the stream's coded rate comes from <see cref="Mpeg1FrameRate"/>.</summary>
    public double FrameRate { get; init; } = 24;

    /// <summary>MPEG-1 bitrate.</summary>
    public int BitrateKbps { get; init; } = 800;

    /// <summary>Which video streams browsers are offered.</summary>
    public VideoCodecs Codec { get; init; } = VideoCodecs.Both;

    public int H264BitrateKbps { get; init; } = Encoding.H264Settings.DefaultBitrateKbps;
    public int HttpPort { get; init; } = 8082;
    public int WebSocketPort { get; init; } = 8084;

    /// <summary>The address to listen on; null means every interface (IPv6 and IPv4).</summary>
    public IPAddress? Bind { get; init; }

    /// <summary>testpattern, stdin, rpicam, v4l2[:/dev/videoN] or file:PATH (see <see cref="Sources.SourceSpec"/>).</summary>
    public string Source { get; init; } = "testpattern";

    /// <summary>Bytes per luma row in the camera's raw frames; null means the source's own rule.</summary>
    public int? Stride { get; init; }

    public bool HorizontalFlip { get; init; }
    public bool VerticalFlip { get; init; }
    public LatencyMode Latency { get; init; } = LatencyMode.Low;
    /// <summary>Viewers beyond this many are refused (close code 1013, try again later).</summary>
    public int MaxViewers { get; init; } = 2500;

    /// <summary>When a viewer that cannot keep up skips ahead, and when it is given up on (not on the command line).</summary>
    public SlowViewerPolicy SlowViewers { get; init; } = new();

    /// <summary>JPEG quality of the MJPEG stream and the snapshots, 1 to 100.</summary>
    public int MjpegQuality { get; init; } = Encoding.JpegArguments.DefaultQuality;

    /// <summary>How long an encoder other than the MPEG-1 one runs on after its last viewer (not on the command line).</summary>
    public TimeSpan EncoderLinger { get; init; } = Pipeline.StreamingPipeline.DefaultLinger;

    /// <summary>Origins besides the page's own host whose pages may open the video WebSocket; "*" allows any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Media servers the stream is pushed to (--publish), copied into their container, never re-encoded.</summary>
    public IReadOnlyList<Publishing.PublishTarget> Publish { get; init; } = [];
    /// <summary>The credentials file (users and tokens); null: anyone who can reach the ports may watch.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>PEM certificate (with its chain) and key files for https and wss; null: plain http and ws unless <see cref="TlsSelfSigned"/>.</summary>
    public string? TlsCertificateFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>https and wss with a certificate made once and kept in the data directory.</summary>
    public bool TlsSelfSigned { get; init; }

    /// <summary>Where the self-signed certificate and the login cookies' keys are kept; null: <see cref="Tls.DataDirectory.Default"/>.</summary>
    public string? DataDirectory { get; init; }

    public string Color { get; init; } = "#444";
    public string BackgroundColor { get; init; } = "#333";

    public Mpeg1FrameRate CodedFrameRate => Mpeg1FrameRate.For(FrameRate);

    /// <summary>The H.264 stream's settings, made by <paramref name="encoder"/>.</summary>
    public Encoding.H264Settings H264(Encoding.H264EncoderKind encoder) =>
        new(encoder, H264BitrateKbps, Encoding.H264Settings.IntraPeriodFor(FrameRate), FrameRate);
}
