using System.Globalization;

namespace PiStreaming.Encoding;

/// <summary>The MPEG-1 encoder's command line: raw I420 in on stdin, one MPEG-1 picture per multipart packet out on stdout.</summary>
internal static class FfmpegArguments
{
    public static IReadOnlyList<string> For(EncoderSettings settings)
    {
        var rate = settings.FrameRate.ToString();
        var arguments = RawFramesIn(settings);

        arguments.AddRange(Filters(FlipFilters(settings)));
        arguments.AddRange(
        [
            "-c:v", "mpeg1video",
            "-b:v", settings.BitrateKbps.ToString(CultureInfo.InvariantCulture) + "k",
            "-r", rate,
        ]);
        if (settings.LowDelay)
        {
            // Without this, ffmpeg's MPEG-1 encoder holds every picture until the next frame arrives.
            // ffmpeg calls it an MPEG-2 feature, hence "unofficial"; the bitstream stays plain MPEG-1
            // (MPEG-1 has no field for it) and decodes identically.
            arguments.AddRange(["-flags", "+low_delay", "-strict", "unofficial"]);
        }

        arguments.AddRange(PacketsOut);
        return arguments;
    }

    /// <summary>The input half every encoder shares: raw I420 frames of the stream's size on stdin.</summary>
    /// <param name="rate">the frames' rate; MPEG-1's coded rate unless given.</param>
    public static List<string> RawFramesIn(EncoderSettings settings, string? rate = null) =>
    [
        "-hide_banner", "-nostats", "-loglevel", "warning",
        "-f", "rawvideo", "-pix_fmt", "yuv420p",
        "-s", settings.Format.ToString(), "-r", rate ?? settings.FrameRate.ToString(),
        "-i", "pipe:0",
    ];

    /// <summary>The flips the camera does not do itself, as filters.</summary>
    public static List<string> FlipFilters(EncoderSettings settings)
    {
        var filters = new List<string>();
        if (settings.HorizontalFlip)
        {
            filters.Add("hflip");
        }

        if (settings.VerticalFlip)
        {
            filters.Add("vflip");
        }

        return filters;
    }

    /// <summary>A filter chain as arguments (nothing when there are no filters).</summary>
    public static IEnumerable<string> Filters(IReadOnlyList<string> filters) => filters.Count > 0 ? ["-vf", string.Join(',', filters)] : [];

    /// <summary>The output half every encoder shares: each input frame one picture, each picture one multipart packet, at once.</summary>
    public static IEnumerable<string> PacketsOut =>
    [
        // Every input frame becomes one picture: no duplicated or dropped frames.
        "-fps_mode", "passthrough",
        "-f", "mpjpeg", "-flush_packets", "1",
        "pipe:1",
    ];
}
