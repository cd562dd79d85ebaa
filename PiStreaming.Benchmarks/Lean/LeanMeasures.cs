using System.Globalization;
using PiStreaming.Benchmarks.Load;
using PiStreaming.Web;

namespace PiStreaming.Benchmarks.Lean;

/// <summary>
/// The figures of issue 14 for one server build: each part starts the server afresh (bound to loopback,
/// free ports) and returns its numbers under a fixed name; <see cref="LeanBenchmark"/> sets them side by side.
/// </summary>
internal sealed class LeanMeasures(ServerBuild build, TimeSpan window, Action<string> print)
{
    private const double MegaByte = 1024 * 1024;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);
    private static readonly FrameFormat Vga = new(640, 480), Hd = new(1280, 720);

    public Dictionary<string, double> Figures { get; } = [];

    /// <summary>Start of the process to the first WebSocket byte and to the first picture, median of <paramref name="starts"/>.</summary>
    public async Task StartupAsync(int starts)
    {
        var results = new List<StartupProbe.Result>();
        for (var i = 0; i < starts; i++)
        {
            results.Add(await StartupProbe.MeasureAsync(build, Arguments(Vga, 24)));
        }

        Record("start to first WebSocket byte (ms)", Median(results.Select(r => r.FirstByteMs)));
        Record("start to first picture (ms)", Median(results.Select(r => r.FirstPictureMs)));
    }

    /// <summary>One viewer on the test pattern: memory and CPU.</summary>
    public async Task OneViewerAsync()
    {
        await using var server = await BenchmarkServer.StartAsync(Arguments(Vga, 24), StartTimeout, build);
        await using var viewer = ViewerFleet.Start(server.WebSocketUri, 1, Header(Vga));
        await viewer.WaitForHeadersAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(Settle);
        Record("CPU, test pattern 640x480@24, 1 viewer (% of a core)", await CpuShareAsync(server) * 100);
        Record("RSS, 1 viewer (MB)", server.ResidentBytes() / MegaByte);
    }

    /// <summary>Raw frames from stdin, fed at the frame rate, one viewer: CPU of the server alone.</summary>
    public async Task StandardInputAsync(FrameFormat format, double rate)
    {
        await using var server = await BenchmarkServer.StartAsync([.. Arguments(format, rate), "--source", "stdin"], StartTimeout, build);
        using var stop = new CancellationTokenSource();
        var feeding = RawVideo.FeedAsync(server.StandardInput, RawVideo.Frames(format, 24), rate, stop.Token);
        await using (var viewer = ViewerFleet.Start(server.WebSocketUri, 1, Header(format)))
        {
            await viewer.WaitForHeadersAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(Settle);
            Record($"CPU, stdin {format}@{rate}, 1 viewer (% of a core)", await CpuShareAsync(server) * 100);
        }

        await stop.CancelAsync();
        await feeding;
    }

    /// <summary>Raw frames from a camera tool (ffmpeg playing a raw video file at its pace), one viewer: CPU of the server alone.</summary>
    public async Task CameraToolAsync(FrameFormat format, double rate)
    {
        var file = await RawVideo.FileAsync(format, rate, Path.Combine(Path.GetTempPath(), "pistreaming-lean"));
        await using var server = await BenchmarkServer.StartAsync([.. Arguments(format, rate), "--source", $"file:{file}"], StartTimeout, build);
        await using var viewer = ViewerFleet.Start(server.WebSocketUri, 1, Header(format));
        await viewer.WaitForHeadersAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(Settle);
        Record($"CPU, camera tool {format}@{rate}, 1 viewer (% of a core)", await CpuShareAsync(server) * 100);
    }

    /// <summary>1000 viewers (memory), then 2000 (CPU per picture sent, pictures each viewer got).</summary>
    public async Task FanOutAsync()
    {
        await using var server = await BenchmarkServer.StartAsync(Arguments(Vga, 24), StartTimeout, build);
        await using var first = ViewerFleet.Start(server.WebSocketUri, 1000, Header(Vga));
        await first.WaitForHeadersAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(Settle);
        Record("RSS, 1000 viewers (MB)", server.ResidentBytes() / MegaByte);

        await using var second = ViewerFleet.Start(server.WebSocketUri, 1000, Header(Vga));
        await second.WaitForHeadersAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(Settle);
        var cpuBefore = server.CpuTime();
        first.BeginWindow();
        second.BeginWindow();
        await Task.Delay(window);
        first.EndWindow();
        second.EndWindow();
        var cpu = server.CpuTime() - cpuBefore;
        var sends = first.WindowPictures + second.WindowPictures;
        var reports = new[] { first.Report(24), second.Report(24) };
        Record("fan-out, 2000 viewers: CPU per picture sent (µs)", cpu.TotalMicroseconds / sends);
        Record("fan-out, 2000 viewers: server CPU (% of a core)", cpu / window * 100);
        Record("fan-out, 2000 viewers: pictures, worst viewer (%)", reports.Min(r => r.ReceivedShare.Min) * 100);
        Record("RSS, 2000 viewers (MB)", server.ResidentBytes() / MegaByte);
    }

    /// <summary>
    /// From a cold start: 10 healthy viewers, RSS 2 s after the start, then <paramref name="stalledViewers"/> stalled ones beside them
    /// for <paramref name="duration"/>. With none, it is the control: what the same run grows by without stalled viewers
    /// (warm-up, and the GC's first generation filling before its first collection).
    /// </summary>
    public async Task StalledAsync(TimeSpan duration, int stalledViewers = 100)
    {
        await using var server = await BenchmarkServer.StartAsync(Arguments(Vga, 24), StartTimeout, build);
        await using var healthy = ViewerFleet.Start(server.WebSocketUri, 10, Header(Vga));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = server.ResidentBytes() / MegaByte;
        healthy.BeginWindow();
        await using (StalledFleet.Start(server.WebSocketUri, stalledViewers, TimeSpan.Zero))
        {
            await Task.Delay(duration);
            healthy.EndWindow();
            Record(stalledViewers > 0
                ? $"RSS growth, {stalledViewers} stalled viewers for {duration.TotalSeconds:0} s from a cold start (MB)"
                : $"RSS growth, control: the same {duration.TotalSeconds:0} s without stalled viewers (MB)", server.ResidentBytes() / MegaByte - before);
        }

        if (stalledViewers > 0)
        {
            Record("stalled run: pictures, worst healthy viewer (%)", healthy.Report(24).ReceivedShare.Min * 100);
        }
    }

    private async Task<double> CpuShareAsync(BenchmarkServer server)
    {
        var before = server.CpuTime();
        await Task.Delay(window);
        return (server.CpuTime() - before) / window;
    }

    private void Record(string name, double value)
    {
        Figures[name] = value;
        print(string.Create(CultureInfo.InvariantCulture, $"{build.Name}: {name} = {value:0.##}"));
    }

    private static List<string> Arguments(FrameFormat format, double rate) =>
        ["--width", $"{format.Width}", "--height", $"{format.Height}", "--framerate", rate.ToString(CultureInfo.InvariantCulture)];

    private static byte[] Header(FrameFormat format) => JsmpHeader.Create(format);

    private static double Median(IEnumerable<double> values) => Latency.Statistics.Percentile([.. values], 0.5);

    public static FrameFormat Small => Vga;
    public static FrameFormat Large => Hd;
}
