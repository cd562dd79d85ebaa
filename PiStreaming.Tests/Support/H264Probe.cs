using PiStreaming.Web;

namespace PiStreaming.Tests.Support;

/// <summary>Decodes what an H.264 viewer received with ffmpeg itself: every picture, its size, and any complaint.</summary>
internal static class H264Probe
{
    /// <param name="Sizes">the size of every decoded picture, in order.</param>
    /// <param name="Errors">what ffmpeg said at -v error while decoding (empty: a clean stream).</param>
    public sealed record Decoded(List<(int Width, int Height)> Sizes, string Errors);

    /// <summary>The 8-byte header an H.264 viewer gets first.</summary>
    public static byte[] Header(int width, int height) => H264Header.Create(new FrameFormat(width, height));

    /// <summary>Decodes access units (annex B, one per message, header left out) as one stream.</summary>
    public static async Task<Decoded> DecodeAsync(IEnumerable<byte[]> accessUnits)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}.h264");
        await File.WriteAllBytesAsync(file, accessUnits.SelectMany(m => m).ToArray());
        try
        {
            var (frames, probeErrors, _) = await FfmpegProbe.RunBinaryAsync("ffprobe", "-v", "error", "-f", "h264", "-show_entries", "frame=width,height",
                "-of", "csv=p=0", file);
            var (_, decodeErrors, _) = await FfmpegProbe.RunBinaryAsync("ffmpeg", "-v", "error", "-f", "h264", "-i", file, "-f", "null", "-");
            var sizes = System.Text.Encoding.ASCII.GetString(frames).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Trim().TrimEnd(',').Split(','))
                .Select(fields => (int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            return new Decoded(sizes, (probeErrors + decodeErrors).Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
