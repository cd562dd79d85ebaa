using System.Globalization;

namespace PiStreaming.Encoding;

/// <summary>The ffmpeg command line: raw I420 in on stdin, one MPEG-1 picture per multipart packet out on stdout.</summary>
public static class FfmpegArguments
{
    public static IReadOnlyList<string> For(EncoderSettings settings)
    {
        var rate = settings.FrameRate.ToString();
        var arguments = new List<string>
        {
            "-hide_banner", "-nostats", "-loglevel", "warning",
            "-f", "rawvideo", "-pix_fmt", "yuv420p",
            "-s", settings.Format.ToString(), "-r", rate,
            "-i", "pipe:0",
        };

        var filters = new List<string>();
        if (settings.HorizontalFlip)
        {
            filters.Add("hflip");
        }

        if (settings.VerticalFlip)
        {
            filters.Add("vflip");
        }

        if (filters.Count > 0)
        {
            arguments.AddRange(["-vf", string.Join(',', filters)]);
        }

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

        arguments.AddRange(
        [
            // Every input frame becomes one picture: no duplicated or dropped frames.
            "-fps_mode", "passthrough",
            "-f", "mpjpeg", "-flush_packets", "1",
            "pipe:1",
        ]);
        return arguments;
    }
}
