using System.Globalization;
using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>
/// ffmpeg as a camera: a USB webcam (v4l2) or a video file, decoded and converted to raw I420
/// frames of the configured size and rate on stdout; or a webcam's own H.264, copied as it is.
/// </summary>
internal static class FfmpegDecoderCommand
{
    public static CameraCommand ForWebcam(ServerOptions options, string device, string ffmpegPath) =>
        Create(options, ffmpegPath, $"webcam {device}", format => WebcamArguments(device, format, options.FrameRate), WebcamWhenStopped(device));

    /// <summary>The webcam's own H.264 (see <see cref="WebcamInput"/>), for the H.264 viewers as it is.</summary>
    public static CameraCommand ForWebcamH264(ServerOptions options, string device, string ffmpegPath) =>
        Create(options, ffmpegPath, $"webcam {device}", format => WebcamH264Arguments(device, format, options.FrameRate), WebcamWhenStopped(device),
            deliversH264: true);

    public static CameraCommand ForFile(ServerOptions options, string path, string ffmpegPath) =>
        Create(options, ffmpegPath, $"video file {Path.GetFileName(path)}", format => FileArguments(path, format, options.FrameRate),
            $"Check that the file exists and plays (ffplay \"{path}\")");

    // ffmpeg writes unpadded frames of the configured size (or H.264 of that size) and leaves any flips to the encoder.
    private static CameraCommand Create(ServerOptions options, string ffmpegPath, string name,
        Func<FrameFormat, IReadOnlyList<string>> arguments, string whenStopped, bool deliversH264 = false)
    {
        var format = new FrameFormat(options.Width, options.Height);
        return new CameraCommand(name, [ffmpegPath], arguments(format), FrameLayout.Unpadded(format),
            FlipsFrames: false, WhenMissing: Encoding.FfmpegEncoder.MissingMessage, WhenStopped: whenStopped, DeliversH264: deliversH264);
    }

    /// <summary>ffmpeg's v4l2 input at the configured size and rate (the driver picks the nearest it has).</summary>
    public static IReadOnlyList<string> WebcamArguments(string device, FrameFormat format, double framesPerSecond) =>
    [
        .. Quiet,
        "-f", "v4l2", "-framerate", FormatRate(framesPerSecond), "-video_size", format.ToString(),
        "-i", device,
        .. RawOutput(format, framesPerSecond),
    ];

    /// <summary>
    /// The webcam's H.264 at the configured size and rate, copied (nothing decoded or encoded) to annex B on
    /// stdout, each access unit written at once. A webcam's H.264 is annex B already; should ffmpeg get it in
    /// MP4 form, its h264 muxer converts it by itself (h264_mp4toannexb).
    /// </summary>
    public static IReadOnlyList<string> WebcamH264Arguments(string device, FrameFormat format, double framesPerSecond) =>
    [
        .. Quiet,
        "-f", "v4l2", "-input_format", "h264", "-framerate", FormatRate(framesPerSecond), "-video_size", format.ToString(),
        "-i", device,
        "-map", "0:v:0", "-c:v", "copy", "-f", "h264", "-flush_packets", "1", "pipe:1",
    ];

    /// <summary>A file read at its own speed (-re) and looped for ever, so it plays like a camera.</summary>
    public static IReadOnlyList<string> FileArguments(string path, FrameFormat format, double framesPerSecond) =>
    [
        .. Quiet,
        "-re", "-stream_loop", "-1", "-i", path,
        .. RawOutput(format, framesPerSecond),
    ];

    private static string WebcamWhenStopped(string device) =>
        $"Check that the webcam is plugged in (--list-devices), that no other program is using it, "
        + $"and which sizes and rates it offers (v4l2-ctl -d {device} --list-formats-ext)";

    private static IEnumerable<string> Quiet => ["-hide_banner", "-nostats", "-nostdin", "-loglevel", "warning"];

    // The first video stream, scaled to the picture size, at a constant rate (frames duplicated or
    // dropped as needed), as raw I420, flushed frame by frame so none waits in ffmpeg's buffer.
    private static IEnumerable<string> RawOutput(FrameFormat format, double framesPerSecond) =>
    [
        "-map", "0:v:0",
        "-vf", $"scale={format.Width.ToString(CultureInfo.InvariantCulture)}:{format.Height.ToString(CultureInfo.InvariantCulture)}",
        "-pix_fmt", "yuv420p", "-r", FormatRate(framesPerSecond),
        "-f", "rawvideo", "-flush_packets", "1", "pipe:1",
    ];

    private static string FormatRate(double framesPerSecond) => framesPerSecond.ToString("0.###", CultureInfo.InvariantCulture);
}
