using System.Globalization;

namespace PiStreaming.Encoding;

/// <summary>The JPEG encoder's command line: raw I420 in on stdin, one JPEG per multipart packet out on stdout.</summary>
internal static class JpegArguments
{
    public const int DefaultQuality = 80;

    /// <param name="quality">1 (smallest) to 100 (best), as image tools count it.</param>
    public static IReadOnlyList<string> For(EncoderSettings settings, int quality)
    {
        var arguments = FfmpegArguments.RawFramesIn(settings);
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

    /// <summary>ffmpeg's JPEG quantizer scale: 2 (best) to 31 (smallest).</summary>
    public static int Scale(int quality) => 2 + (int)Math.Round((100 - Math.Clamp(quality, 1, 100)) * 29 / 99.0);
}
