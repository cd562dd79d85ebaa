using System.Globalization;
using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>
/// The Raspberry Pi camera through rpicam-vid (called libcamera-vid before 2023): raw yuv420 frames
/// on stdout for ever, no preview window, one flush per frame. The camera flips in hardware.
/// </summary>
internal static class RpicamCommand
{
    public static readonly IReadOnlyList<string> Programs = ["rpicam-vid", "libcamera-vid"];

    public static CameraCommand Create(ServerOptions options)
    {
        var format = new FrameFormat(options.Width, options.Height);
        return new CameraCommand(
            "Raspberry Pi camera",
            Programs,
            Arguments(format, options.FrameRate, options.HorizontalFlip, options.VerticalFlip),
            Layout(format, options.Stride),
            FlipsFrames: true,
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
