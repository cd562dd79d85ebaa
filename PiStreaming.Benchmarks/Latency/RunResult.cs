namespace PiStreaming.Benchmarks.Latency;

/// <summary>What one server run measured.</summary>
internal sealed record RunResult
{
    public required string Label { get; init; }
    public required IReadOnlyList<double> LatenciesMs { get; init; }
    public required double MeasuredSeconds { get; init; }
    public required int PicturesDrawn { get; init; }
    public required int UnreadableStamps { get; init; }
    public required int DistinctFramesDrawn { get; init; }
    public required int FramesProduced { get; init; }
    public required IReadOnlyList<double> FirstPictureMs { get; init; }
    public required IReadOnlyList<double> FirstPictureAfterSocketOpenMs { get; init; }

    /// <summary>Navigation to the first camera picture on screen: the page's still snapshot or the video, whichever came first, and not before the page's first paint.</summary>
    public required IReadOnlyList<double> FirstOnScreenMs { get; init; }
    public required string Renderer { get; init; }

    /// <summary>The benchmark's own cost in the page: reading one picture's stamp.</summary>
    public required double StampReadingMsPerPicture { get; init; }
    public required ResourceUse Server { get; init; }
    public required ResourceUse Encoder { get; init; }

    /// <summary>Relays between the origin and the browser (--relays N in the run), and the last one's use (NaN without relays).</summary>
    public required int Relays { get; init; }
    public required ResourceUse LastRelay { get; init; }

    /// <summary>Per relay hop, how much later each picture reached a WebSocket viewer of that relay than one of the server before it.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> HopDelaysMs { get; init; }

    /// <summary>The other WebSocket viewers watching meanwhile (--viewers), or null when there were none.</summary>
    public Load.FleetReport? Fleet { get; init; }
}

/// <summary>CPU in percent of one core over the measured window, and resident memory at its end.</summary>
internal sealed record ResourceUse(double CpuPercent, double ResidentMiB);
