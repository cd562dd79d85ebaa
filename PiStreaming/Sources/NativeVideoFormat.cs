using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>A video file's own picture size and frame rate (null when the file does not say), as ffprobe reads them.</summary>
internal sealed record NativeVideoFormat(int Width, int Height, double? FrameRate)
{
    private const int MinSide = 16;

    /// <summary>
    /// The size to stream it at: its own, scaled down to fit 1920x1080 keeping its aspect ratio, each
    /// side rounded down to even (MPEG-1 and I420 need even sides).
    /// </summary>
    public FrameFormat StreamFormat
    {
        get
        {
            var scale = Math.Min(1.0, Math.Min((double)ServerOptions.MaxWidth / Width, (double)ServerOptions.MaxHeight / Height));
            return new FrameFormat(Even(Width * scale), Even(Height * scale));
        }
    }

    /// <summary>The rate to read it at: its own, within the 1 to 60 frames per second the server takes.</summary>
    public double? StreamFrameRate => FrameRate is > 0 and var rate && double.IsFinite(rate) ? Math.Clamp(rate, 1, 60) : null;

    private static int Even(double side) => Math.Max(MinSide, (int)Math.Floor(side) & ~1);
}
