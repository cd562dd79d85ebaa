using System.Globalization;
using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>
/// The Raspberry Pi camera through rpicam-vid (called libcamera-vid before 2023): raw yuv420 frames
/// on stdout for ever, no preview window, one flush per frame; or, when only H.264 is wanted, the
/// camera's own H.264 (encoded in hardware on Pi 4 and older). The camera flips in hardware.
/// </summary>
internal static class RpicamCommand
{
    public static readonly IReadOnlyList<string> Programs = ["rpicam-vid", "libcamera-vid"];

    /// <param name="h264">encode on the camera with these settings (its stream is passed through), or null for raw frames.</param>
    public static CameraCommand Create(ServerOptions options, Encoding.H264Settings? h264 = null)
    {
        var format = new FrameFormat(options.Width, options.Height);
        return new CameraCommand(
            "Raspberry Pi camera",
            Programs,
            h264 is null
                ? Arguments(format, options.FrameRate, options.HorizontalFlip, options.VerticalFlip)
                : H264Arguments(format, options.FrameRate, options.HorizontalFlip, options.VerticalFlip, h264),
            Layout(format, options.Stride),
            FlipsFrames: true,
            DeliversH264: h264 is not null,
            WhenMissing: "rpicam-vid (or the older libcamera-vid) not found on PATH; install the camera tools with: sudo apt install rpicam-apps",
            WhenStopped: "Check that the camera is connected and detected (rpicam-hello --list-cameras), that no other program is using it, "
                + "and that it supports " + format + " at " + FormatRate(options.FrameRate) + " fps");
    }

    public static IReadOnlyList<string> Arguments(FrameFormat format, double framesPerSecond, bool horizontalFlip, bool verticalFlip)
    {
        var arguments = new List<string>
        {
            "-t", "0", "-n", "--codec", "yuv420",
            "--width", format.Width.ToString(CultureInfo.InvariantCulture),
            "--height", format.Height.ToString(CultureInfo.InvariantCulture),
            "--framerate", FormatRate(framesPerSecond),
            "--flush",
        };
        return WithFlipsToStandardOutput(arguments, horizontalFlip, verticalFlip);
    }

    /// <summary>
    /// The camera's H.264, for browsers as it is: baseline profile (every browser decodes it), SPS and PPS
    /// before every IDR picture (--inline, so viewers can join), an IDR picture every intra period, each
    /// picture written at once (--flush).
    /// </summary>
    public static IReadOnlyList<string> H264Arguments(FrameFormat format, double framesPerSecond, bool horizontalFlip, bool verticalFlip,
        Encoding.H264Settings h264)
    {
        var arguments = new List<string>
        {
            "-t", "0", "-n", "--codec", "h264", "--inline", "--flush", "--profile", "baseline",
            "--intra", h264.IntraPeriod.ToString(CultureInfo.InvariantCulture),
            "--bitrate", (h264.BitrateKbps * 1000).ToString(CultureInfo.InvariantCulture),
            "--width", format.Width.ToString(CultureInfo.InvariantCulture),
            "--height", format.Height.ToString(CultureInfo.InvariantCulture),
            "--framerate", FormatRate(framesPerSecond),
        };
        return WithFlipsToStandardOutput(arguments, horizontalFlip, verticalFlip);
    }

    // Both kinds of output: flipped as asked, written to standard output.
    private static List<string> WithFlipsToStandardOutput(List<string> arguments, bool horizontalFlip, bool verticalFlip)
    {
        if (horizontalFlip)
        {
            arguments.Add("--hflip");
        }

        if (verticalFlip)
        {
            arguments.Add("--vflip");
        }

        arguments.AddRange(["-o", "-"]);
        return arguments;
    }

    /// <summary>
    /// rpicam-vid writes each luma row padded to a stride (a multiple of 64 bytes on Pi 4 and older),
    /// chroma rows at half that stride, and no padding rows. <paramref name="stride"/> overrides the
    /// rule for boards that differ.
    /// </summary>
    public static FrameLayout Layout(FrameFormat format, int? stride) =>
        stride is { } bytes ? new FrameLayout(format, bytes) : FrameLayout.WithRowsAlignedTo(format, FrameLayout.RpicamRowAlignment);

    private static string FormatRate(double framesPerSecond) => framesPerSecond.ToString("0.###", CultureInfo.InvariantCulture);
}
