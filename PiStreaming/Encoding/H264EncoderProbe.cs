using PiStreaming.Processes;

namespace PiStreaming.Encoding;

/// <summary>
/// Finds out once, at start, whether the Raspberry Pi's hardware H.264 encoder works here. Only ARM
/// boards have one (a V4L2 memory-to-memory encoder); elsewhere the answer is libx264 without asking.
/// </summary>
internal static class H264EncoderProbe
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <returns><see cref="H264EncoderKind.V4l2m2m"/> when ffmpeg's h264_v4l2m2m encodes two frames of this size, otherwise libx264.</returns>
    public static async Task<H264EncoderKind> FindAsync(string ffmpegPath, FrameFormat format, CancellationToken cancellationToken)
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is not (System.Runtime.InteropServices.Architecture.Arm64
            or System.Runtime.InteropServices.Architecture.Arm))
        {
            return H264EncoderKind.Libx264;
        }

        var result = await ProgramQuestion.AskAsync(ffmpegPath,
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", $"color=size={format}:rate=25",
                "-frames:v", "2", "-pix_fmt", "yuv420p", "-c:v", "h264_v4l2m2m", "-f", "null", "-"],
            Patience, cancellationToken);
        return result is { ExitCode: 0 } ? H264EncoderKind.V4l2m2m : H264EncoderKind.Libx264;
    }
}
