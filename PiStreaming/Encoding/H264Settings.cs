namespace PiStreaming.Encoding;

/// <summary>Which encoder makes H.264 from raw frames.</summary>
internal enum H264EncoderKind
{
    /// <summary>ffmpeg's libx264 in software (x86, Raspberry Pi 5).</summary>
    Libx264,

    /// <summary>ffmpeg's h264_v4l2m2m: the Raspberry Pi's hardware encoder (Pi 4 and older).</summary>
    V4l2m2m,
}

/// <summary>How the H.264 stream is encoded.</summary>
/// <param name="IntraPeriod">pictures from one IDR picture to the next (see <see cref="IntraPeriodFor"/>).</param>
/// <param name="FrameRate">the camera's own rate: H.264, unlike MPEG-1, codes any rate, so its timing and rate control use this one.</param>
internal sealed record H264Settings(H264EncoderKind Encoder, int BitrateKbps, int IntraPeriod, double FrameRate)
{
    public const int DefaultBitrateKbps = 400;

    /// <summary>
    /// One IDR picture a second: a viewer that fell behind waits at most that long for the next one,
    /// and a whole group of pictures still fits in the join cache (see <see cref="Fanout.SlowViewerPolicy"/>).
    /// </summary>
    public static int IntraPeriodFor(double framesPerSecond) => Math.Max(1, (int)Math.Ceiling(framesPerSecond));
}
