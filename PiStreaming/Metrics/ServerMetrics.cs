using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PiStreaming.Metrics;

/// <summary>
/// The server's facts as <see cref="System.Diagnostics.Metrics"/> instruments on one <see cref="Meter"/>
/// (an exporter in Web/ turns them into /metrics) and as a <see cref="StatusSnapshot"/> (for /status).
/// The parts count into plain counters (<see cref="OutputCounters"/>, <see cref="EncoderCounters"/>);
/// observable instruments read them when scraped, so counting costs the parts no more than an
/// interlocked addition. Only the age of a picture when sent is recorded as it happens (a histogram).
/// One server per process: an exporter listens to every meter of this name.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "PiStreaming";
    public const string OutputTag = "output";
    public const string EncoderTag = "encoder";

    // Seconds from the camera frame's arrival to the picture's send: a few ms when all is well, up to
    // the 2 s a viewer may fall behind before it skips ahead.
    private static readonly double[] AgeBuckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    private readonly Meter meter = new(MeterName);
    private readonly Histogram<double> pictureAge;
    private readonly ConcurrentDictionary<string, OutputCounters> outputs = new();
    private readonly ConcurrentDictionary<string, EncoderCounters> encoders = new();
    private readonly TimeProvider time;
    private readonly long startedAt;
    private Func<long> picturesSkipped = () => 0;
    private Func<long> cameraRestarts = () => 0;
    private long viewersClosedTooSlow;

    public ServerMetrics(TimeProvider time)
    {
        this.time = time;
        startedAt = time.GetTimestamp();
        pictureAge = meter.CreateHistogram("pistreaming.picture.age", "s",
            "Time from the camera frame's arrival to its encoded picture's send, per viewer and picture: the server's share of the latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AgeBuckets });
        meter.CreateObservableGauge("pistreaming.viewers", () => outputs.Values.Select(o => new Measurement<int>(o.Viewers, o.Tag)),
            "{viewer}", "Viewers watching now, per output");
        meter.CreateObservableCounter("pistreaming.pictures.sent", () => outputs.Values.Select(o => new Measurement<long>(o.PicturesSent, o.Tag)),
            "{picture}", "Pictures sent to viewers, per output (one per viewer and picture)");
        meter.CreateObservableCounter("pistreaming.sent", () => outputs.Values.Select(o => new Measurement<long>(o.BytesSent, o.Tag)),
            "By", "Bytes of pictures sent to viewers, per output");
        meter.CreateObservableCounter("pistreaming.pictures.encoded", () => encoders.Values.Select(e => new Measurement<long>(e.PicturesEncoded, e.Tag)),
            "{picture}", "Pictures the encoders made, per encoder");
        meter.CreateObservableCounter("pistreaming.encoded", () => encoders.Values.Select(e => new Measurement<long>(e.BytesEncoded, e.Tag)),
            "By", "Bytes the encoders made, per encoder");
        meter.CreateObservableCounter("pistreaming.encoder.restarts", () => encoders.Values.Select(e => new Measurement<long>(e.Restarts, e.Tag)),
            "{restart}", "Times an encoder failed and was started again");
        meter.CreateObservableCounter("pistreaming.frames.dropped", () => encoders.Values.Select(e => new Measurement<long>(e.FramesDropped, e.Tag)),
            "{frame}", "Raw camera frames an encoder was too far behind to take");
        meter.CreateObservableCounter("pistreaming.pictures.skipped", () => picturesSkipped(),
            "{picture}", "Pictures skipped for viewers that could not keep up");
        meter.CreateObservableCounter("pistreaming.viewers.closed_too_slow", () => ViewersClosedTooSlow,
            "{viewer}", "Viewers closed because they stayed behind too long");
        meter.CreateObservableCounter("pistreaming.camera.restarts", () => cameraRestarts(),
            "{restart}", "Times the camera failed or went silent and was started again");
        meter.CreateObservableCounter("pistreaming.process.cpu.time", () => Environment.CpuUsage.TotalTime.TotalSeconds,
            "s", "CPU time the server process has used (user and system; its helper programs not included)");
        meter.CreateObservableGauge("pistreaming.process.memory", () => Environment.WorkingSet,
            "By", "Resident memory of the server process (its helper programs not included)");
    }

    public long ViewersClosedTooSlow => Interlocked.Read(ref viewersClosedTooSlow);

    /// <summary>The counters of one output, made on first use.</summary>
    public OutputCounters Output(string name) => outputs.GetOrAdd(name, n => new OutputCounters(n, pictureAge, time));

    /// <summary>The counters of one encoder, made on first use.</summary>
    public EncoderCounters Encoder(string name) => encoders.GetOrAdd(name, n => new EncoderCounters(n));

    /// <summary>Totals that parts keep themselves: read when scraped. Called once, while the server is put together.</summary>
    public void Observe(Func<long> picturesSkipped, Func<long> cameraRestarts)
    {
        this.picturesSkipped = picturesSkipped;
        this.cameraRestarts = cameraRestarts;
    }

    public void ViewerClosedTooSlow() => Interlocked.Increment(ref viewersClosedTooSlow);

    /// <summary>Everything at once, for /status.</summary>
    public StatusSnapshot Snapshot() => new(
        time.GetElapsedTime(startedAt).TotalSeconds,
        [.. outputs.Values.OrderBy(o => o.Name, StringComparer.Ordinal).Select(o => new OutputStatus(o.Name, o.Viewers, o.PicturesSent, o.BytesSent,
            o.TimedPictures, o.TotalPictureAge.TotalSeconds))],
        [.. encoders.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => new EncoderStatus(e.Name, e.PicturesEncoded, e.BytesEncoded,
            e.Restarts, e.FramesDropped))],
        picturesSkipped(),
        ViewersClosedTooSlow,
        cameraRestarts(),
        new ProcessStatus(Environment.CpuUsage.TotalTime.TotalSeconds, Environment.WorkingSet));

    public void Dispose() => meter.Dispose();
}
