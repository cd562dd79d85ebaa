namespace PiStreaming.Options;

/// <summary>Which video streams the server offers browsers (--codec).</summary>
internal enum VideoCodecs
{
    /// <summary>MPEG-1 only: jsmpg.js, any browser; the software MPEG-1 encoder always runs.</summary>
    Mpeg1,

    /// <summary>H.264 only: WebCodecs or Media Source Extensions; the camera (rpicam) or ffmpeg encodes it.</summary>
    H264,

    /// <summary>Both: each browser picks H.264 if it can decode it, MPEG-1 otherwise.</summary>
    Both,
}

internal static class VideoCodecsExtensions
{
    public static bool HasMpeg1(this VideoCodecs codecs) => codecs != VideoCodecs.H264;

    public static bool HasH264(this VideoCodecs codecs) => codecs != VideoCodecs.Mpeg1;
}
