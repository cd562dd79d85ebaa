namespace PiStreaming.Benchmarks.Latency;

internal static class Statistics
{
    /// <summary>The value below which <paramref name="fraction"/> of the values lie (nearest rank); NaN for none.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(fraction * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
