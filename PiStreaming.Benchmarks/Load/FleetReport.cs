using System.Globalization;

namespace PiStreaming.Benchmarks.Load;

/// <summary>Percentiles of a set of numbers.</summary>
internal sealed record Distribution(int Count, double Min, double P1, double P50, double P99, double Max)
{
    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Distribution(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double At(double q) => sorted[(int)Math.Clamp(Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Distribution(sorted.Length, sorted[0], At(0.01), At(0.5), At(0.99), sorted[^1]);
    }

    public string Format(string unit, double scale = 1) =>
        Count == 0
            ? "none"
            : string.Create(CultureInfo.InvariantCulture,
                $"p50 {P50 * scale:0.#}{unit}, p99 {P99 * scale:0.#}{unit}, max {Max * scale:0.#}{unit}");
}

/// <summary>What a <see cref="ViewerFleet"/> saw.</summary>
/// <param name="HeaderMs">time from the fleet's start to each viewer's header.</param>
/// <param name="ReceivedShare">pictures each viewer got in the window, as a share of the nominal rate.</param>
/// <param name="BehindFirstViewerMs">for every I picture, how long after the first viewer each viewer got it.</param>
internal sealed record FleetReport(
    int Viewers,
    int HeadersOk,
    Distribution HeaderMs,
    Distribution FirstPictureMs,
    double WindowSeconds,
    double ExpectedPictures,
    Distribution ReceivedShare,
    int ViewersAtOrAbove95Percent,
    Distribution BehindFirstViewerMs,
    IReadOnlyDictionary<string, int> Failures);
