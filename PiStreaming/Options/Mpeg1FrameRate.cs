using System.Globalization;

namespace PiStreaming.Options;

/// <summary>
/// MPEG-1 can only code eight frame rates. A camera rate is sent as the nearest coded rate at or
/// above it; every camera frame still becomes exactly one picture, and browsers show pictures as
/// they arrive, so playback follows the camera's real pace. Only the rate written in the stream
/// header (used by file players) differs.
/// </summary>
internal sealed record Mpeg1FrameRate(int Numerator, int Denominator)
{
    private static readonly Mpeg1FrameRate[] Coded =
    [
        new(24000, 1001), new(24, 1), new(25, 1), new(30000, 1001),
        new(30, 1), new(50, 1), new(60000, 1001), new(60, 1),
    ];

    // Integer rates are preferred when rounding up (10 fps is sent as 24, not 23.976).
    private static readonly Mpeg1FrameRate[] RoundingTargets = [.. Coded.Where(r => r.Denominator == 1)];

    public double Value => (double)Numerator / Denominator;

    /// <summary>ffmpeg's notation, e.g. "24" or "30000/1001".</summary>
    public override string ToString() =>
        Denominator == 1
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";

    public static Mpeg1FrameRate For(double cameraFps)
    {
        if (cameraFps is < 1 or > 60 || double.IsNaN(cameraFps))
        {
            throw new ArgumentOutOfRangeException(nameof(cameraFps), cameraFps, "frame rate must be from 1 to 60");
        }

        var exact = Coded.FirstOrDefault(r => Math.Abs(r.Value - cameraFps) < 0.01);
        return exact ?? RoundingTargets.First(r => r.Value >= cameraFps);
    }

    public const string HelpText =
        "MPEG-1 codes only 23.976, 24, 25, 29.97, 30, 50, 59.94 and 60 fps: other rates are written into "
        + "the stream as the next higher integer one (10 -> 24, 27 -> 30, 45 -> 50); each camera frame is "
        + "still one picture, shown when it arrives";
}
