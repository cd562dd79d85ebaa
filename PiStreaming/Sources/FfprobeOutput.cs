using System.Globalization;
using System.Text.Json.Serialization;

namespace PiStreaming.Sources;

/// <summary>What <c>ffprobe -of json -show_entries stream=width,height,avg_frame_rate,r_frame_rate</c> prints: the fields read of it.</summary>
internal sealed record FfprobeOutput(IReadOnlyList<FfprobeStream>? Streams);

/// <summary>One stream of <see cref="FfprobeOutput"/>; the rates as ffprobe writes them, a fraction such as <c>30000/1001</c>.</summary>
internal sealed record FfprobeStream(int Width, int Height, string? AvgFrameRate, string? RFrameRate)
{
    /// <summary>The average rate, else the stream's base rate; null when neither is a positive fraction (<c>0/0</c>).</summary>
    public double? FrameRate => Rate(AvgFrameRate) ?? Rate(RFrameRate);

    private static double? Rate(string? fraction) =>
        fraction?.Split('/') is [var numerator, var denominator]
        && double.TryParse(numerator, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
        && double.TryParse(denominator, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
        && n > 0 && d > 0
            ? n / d
            : null;
}

/// <summary>
/// ffprobe's JSON read by code generated at build time, not by reflection: Native AOT (the published x64 build)
/// has no native code for reflection-based System.Text.Json.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FfprobeOutput))]
internal sealed partial class FfprobeJson : JsonSerializerContext;
