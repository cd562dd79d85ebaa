namespace PiStreaming.Publishing;

/// <summary>How ffmpeg carries the stream to a media server.</summary>
internal enum PublishFormat
{
    /// <summary>RTMP: FLV, which carries H.264 but not MPEG-1.</summary>
    Flv,

    /// <summary>SRT (or UDP): MPEG-TS, which carries MPEG-1 and H.264.</summary>
    MpegTs,

    /// <summary>RTSP (ANNOUNCE and RECORD, over TCP): RTP, which carries MPEG-1 and H.264.</summary>
    Rtsp,
}

/// <summary>A media server to push the stream to (--publish URL), and the container its protocol takes.</summary>
internal sealed record PublishTarget(Uri Address, PublishFormat Format)
{
    public const string Syntax = "rtmp://HOST[:PORT]/APP/KEY, rtmps://..., srt://HOST:PORT[?streamid=...], rtsp://HOST[:PORT]/PATH or udp://HOST:PORT";

    /// <summary>Which codecs the container can carry: FLV has no MPEG-1.</summary>
    public bool CarriesMpeg1 => Format != PublishFormat.Flv;

    /// <summary>Where it goes, without what may be secret (user, password, stream key in the path or query), for the log.</summary>
    public string Redacted => $"{Address.Scheme}://{Address.Authority.Split('@')[^1]}";

    /// <exception cref="FormatException">not a media server's address (options are validated before this).</exception>
    public static PublishTarget Parse(string text) => TryParse(text, out var target, out var error) ? target : throw new FormatException(error);

    public static bool TryParse(string text, out PublishTarget target, out string error)
    {
        target = new PublishTarget(new Uri("srt://localhost:1"), PublishFormat.MpegTs);
        error = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || address.Host.Length == 0)
        {
            error = $"a media server's address: {Syntax}";
            return false;
        }

        PublishFormat? format = address.Scheme switch
        {
            "rtmp" or "rtmps" => PublishFormat.Flv,
            "srt" or "udp" => PublishFormat.MpegTs,
            "rtsp" => PublishFormat.Rtsp,
            _ => null,
        };
        if (format is null)
        {
            error = $"a media server's address: {Syntax} (got the scheme '{address.Scheme}')";
            return false;
        }

        if (address.Scheme is "srt" or "udp" && address.IsDefaultPort)
        {
            error = $"{address.Scheme} needs a port, e.g. {address.Scheme}://{address.Host}:8890";
            return false;
        }

        target = new PublishTarget(address, format.Value);
        return true;
    }

    public override string ToString() => Redacted;
}
