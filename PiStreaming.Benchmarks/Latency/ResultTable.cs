using System.Globalization;

namespace PiStreaming.Benchmarks.Latency;

/// <summary>The runs side by side, one column each, one row per number.</summary>
internal static class ResultTable
{
    public static void Print(TextWriter output, IReadOnlyList<RunResult> runs)
    {
        // Each relay hop's cost: against the last run without relays before it (with --relay-chain, the same codec's), per relay.
        string PerHop(RunResult r, double percentile) =>
            r.Relays == 0 || runs.Take(runs.ToList().IndexOf(r)).LastOrDefault(d => d.Relays == 0) is not { } direct
                ? "-"
                : Number((Statistics.Percentile(r.LatenciesMs.ToList(), percentile) - Statistics.Percentile(direct.LatenciesMs.ToList(), percentile)) / r.Relays, "F1");
        var rows = new (string Name, Func<RunResult, string> Value)[]
        {
            ("relays between origin and browser", r => r.Relays.ToString(CultureInfo.InvariantCulture)),
            ("glass-to-glass p50 (ms)", r => Number(Statistics.Percentile(r.LatenciesMs.ToList(), 0.50))),
            ("glass-to-glass p95 (ms)", r => Number(Statistics.Percentile(r.LatenciesMs.ToList(), 0.95))),
            ("glass-to-glass max (ms)", r => Number(Statistics.Percentile(r.LatenciesMs.ToList(), 1.0))),
            ("  added per relay hop, p50 (ms)", r => PerHop(r, 0.50)),
            ("  added per relay hop, p95 (ms)", r => PerHop(r, 0.95)),
            ("hop delay p50 (ms, WebSocket viewers; hop 1 / 2 ...)", r => Hops(r, 0.50)),
            ("hop delay p95 (ms)", r => Hops(r, 0.95)),
            ("hop delay max (ms)", r => Hops(r, 1.0)),
            ("  pictures timed per hop", r => r.HopDelaysMs.Count == 0 ? "-" : string.Join(" / ", r.HopDelaysMs.Select(h => h.Count))),
            ("pictures drawn per second", r => Number(r.PicturesDrawn / r.MeasuredSeconds, "F1")),
            ("distinct frames drawn / produced", r => $"{r.DistinctFramesDrawn} / {r.FramesProduced}"),
            ("unreadable stamps", r => r.UnreadableStamps.ToString(CultureInfo.InvariantCulture)),
            ("camera on screen p50 (ms, still or video)", r => Number(Statistics.Percentile(r.FirstOnScreenMs.ToList(), 0.50))),
            ("camera on screen max (ms)", r => Number(Statistics.Percentile(r.FirstOnScreenMs.ToList(), 1.0))),
            ($"first picture p50 (ms, page loads)", r => Number(Statistics.Percentile(r.FirstPictureMs.ToList(), 0.50))),
            ("first picture max (ms)", r => Number(Statistics.Percentile(r.FirstPictureMs.ToList(), 1.0))),
            ("  of it after the socket opened p50", r => Number(Statistics.Percentile(r.FirstPictureAfterSocketOpenMs.ToList(), 0.50))),
            ("  of it after the socket opened max", r => Number(Statistics.Percentile(r.FirstPictureAfterSocketOpenMs.ToList(), 1.0))),
            ("server CPU (% of one core)", r => Number(r.Server.CpuPercent, "F1")),
            ("server RSS (MiB)", r => Number(r.Server.ResidentMiB, "F0")),
            ("ffmpeg CPU (% of one core)", r => Number(r.Encoder.CpuPercent, "F1")),
            ("ffmpeg RSS (MiB)", r => Number(r.Encoder.ResidentMiB, "F0")),
            ("last relay CPU (% of one core)", r => Number(r.LastRelay.CpuPercent, "F1")),
            ("last relay RSS (MiB)", r => Number(r.LastRelay.ResidentMiB, "F0")),
            ("other WebSocket viewers", r => (r.Fleet?.Viewers ?? 0).ToString(CultureInfo.InvariantCulture)),
            ("  of them >= 95% of pictures", r => r.Fleet is { } f ? $"{f.ViewersAtOrAbove95Percent}" : "-"),
            ("browser draws with", r => r.Renderer),
            ("stamp reading per picture (ms)", r => Number(r.StampReadingMsPerPicture, "F2")),
        };

        var nameWidth = rows.Max(r => r.Name.Length) + 2;
        var columnWidth = Math.Max(14, runs.Max(r => r.Label.Length) + 2);
        output.WriteLine("".PadRight(nameWidth) + string.Concat(runs.Select(r => r.Label.PadLeft(columnWidth))));
        foreach (var (name, value) in rows)
        {
            output.WriteLine(name.PadRight(nameWidth) + string.Concat(runs.Select(r => value(r).PadLeft(columnWidth))));
        }
    }

    private static string Hops(RunResult r, double percentile) =>
        r.HopDelaysMs.Count == 0 ? "-" : string.Join(" / ", r.HopDelaysMs.Select(h => Number(Statistics.Percentile(h.ToList(), percentile), "F1")));

    private static string Number(double value, string format = "F0") =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}
