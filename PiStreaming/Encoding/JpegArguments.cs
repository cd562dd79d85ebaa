using System.Globalization;

namespace PiStreaming.Encoding;

/// <summary>
/// The JPEG encoder's command line: raw I420 (or the camera's H.264, decoded here) in on stdin, one JPEG per
/// multipart packet out on stdout.
/// </summary>
internal static class JpegArguments
{
    public const int DefaultQuality = 80;

    /// <param name="quality">1 (smallest) to 100 (best), as image tools count it.</param>
    /// <param name="h264Input">the input is an H.264 stream (a camera that encodes), not raw frames.</param>
    public static IReadOnlyList<string> For(EncoderSettings settings, int quality, bool h264Input = false)
    {
        var arguments = h264Input ? H264In : FfmpegArguments.RawFramesIn(settings);
        // JPEG is full range while cameras deliver video range: convert, and say so in the file. Letting
        // ffmpeg pick its "yuvj" format instead works too, but it logs a warning at every start.
        var filters = FfmpegArguments.FlipFilters(settings);
        filters.AddRange(["scale=out_range=full", "format=yuv420p"]);
        arguments.AddRange(FfmpegArguments.Filters(filters));
        arguments.AddRange(["-color_range", "pc", "-strict", "unofficial"]);
        arguments.AddRange(["-c:v", "mjpeg", "-q:v", Scale(quality).ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(FfmpegArguments.PacketsOut);
        return arguments;
    }

    /// <summary>
    /// The JPEG decoder of a relay: the MPEG-1 stream (or the H.264 one, when the origin offers only that) in on
    /// stdin, as viewers get it; one JPEG per decoded picture out. Nothing is probed or buffered: each picture is
    /// decoded as soon as the decoder knows it is whole.
    /// </summary>
    public static IReadOnlyList<string> ForRelayedStream(int quality, bool h264Input) =>
    [
        .. h264Input
            ? H264In
            :
            [
                // Errors only: with nothing probed, ffmpeg would warn at every start that it cannot estimate the rate.
                "-hide_banner", "-nostats", "-loglevel", "error",
                "-probesize", "32", "-analyzeduration", "0", "-fflags", "nobuffer", "-flags", "low_delay",
                "-f", "mpegvideo", "-i", "pipe:0",
            ],
        .. FfmpegArguments.Filters(["scale=out_range=full", "format=yuv420p"]),
        "-color_range", "pc", "-strict", "unofficial",
        "-c:v", "mjpeg", "-q:v", Scale(quality).ToString(CultureInfo.InvariantCulture),
        .. FfmpegArguments.PacketsOut,
    ];

    // One decoding thread: frame threads would hold back a picture per thread.
    private static List<string> H264In =>
    [
        "-hide_banner", "-nostats", "-loglevel", "warning",
        "-threads", "1", "-flags", "low_delay", "-f", "h264", "-i", "pipe:0",
    ];

    /// <summary>ffmpeg's JPEG quantizer scale: 2 (best) to 31 (smallest).</summary>
    public static int Scale(int quality) => 2 + (int)Math.Round((100 - Math.Clamp(quality, 1, 100)) * 29 / 99.0);
}
