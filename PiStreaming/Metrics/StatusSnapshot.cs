namespace PiStreaming.Metrics;

/// <summary>The server's counters at one moment (see <see cref="ServerMetrics"/>); counts are since the start.</summary>
internal sealed record StatusSnapshot(
    double UptimeSeconds,
    IReadOnlyList<OutputStatus> Outputs,
    IReadOnlyList<EncoderStatus> Encoders,
    long PicturesSkipped,
    long ViewersClosedTooSlow,
    long CameraRestarts,
    ProcessStatus Process);

/// <param name="TimedPictures">pictures whose age was measured; <paramref name="PictureAgeSecondsTotal"/> is their ages added up
/// (the difference of two snapshots gives the mean age in between).</param>
internal sealed record OutputStatus(string Name, int Viewers, long PicturesSent, long BytesSent, long TimedPictures, double PictureAgeSecondsTotal);

internal sealed record EncoderStatus(string Name, long PicturesEncoded, long BytesEncoded, long Restarts, long FramesDropped);

/// <param name="MemoryBytes">resident memory (working set).</param>
internal sealed record ProcessStatus(double CpuSeconds, long MemoryBytes);
