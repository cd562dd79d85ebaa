using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PiStreaming.Benchmarks.Load;
using PiStreaming.Fanout;
using PiStreaming.Sources;
using PiStreaming.Web;

namespace PiStreaming.Benchmarks;

/// <summary>
/// Many WebSocket viewers at once against the real server (a separate process, test pattern,
/// 640x480, 24 fps): fan-out with memory, and stalled viewers beside healthy ones.
/// </summary>
internal static class LoadBenchmark
{
    private const int Width = 640, Height = 480;
    private const double FrameRate = 24;
    private const double MegaByte = 1024 * 1024;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static readonly Option<int[]> Viewers = new("--viewers")
    {
        Description = "Fan-out sizes to run, each on a fresh server [default: 1000 2000]",
        DefaultValueFactory = _ => [1000, 2000],
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<int> Window = new("--window")
    {
        Description = "Seconds of counting pictures once all viewers are in [default: 20]",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<int> Stalled = new("--stalled") { Description = "Stalled viewers [default: 100]", DefaultValueFactory = _ => 100 };
    private static readonly Option<int> Healthy = new("--healthy") { Description = "Healthy viewers beside them [default: 10]", DefaultValueFactory = _ => 10 };

    private static readonly Option<int> StallSeconds = new("--stall-seconds")
    {
        Description = "How long the stalled-viewer run lasts [default: 120]",
        DefaultValueFactory = _ => 120,
    };

    private static readonly Option<int> StallCycle = new("--stall-cycle")
    {
        Description = "Each stalled viewer reconnects after this many seconds, so the server always faces that many, old and new (0: never) [default: 0]",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<bool> ThroughRelay = new("--relay")
    {
        Description = "Viewers watch a relay of the server (--source relay:URL) instead of the server itself; the numbers are the relay's",
    };

    private static readonly Option<string> Only = new("--only")
    {
        Description = "Run only one part: fanout or stalled",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var command = new RootCommand("./build.sh bench load: fan-out, memory and stalled viewers against the real server");
        foreach (var option in new Option[] { Viewers, Window, Stalled, Healthy, StallSeconds, StallCycle, ThroughRelay, Only })
        {
            command.Options.Add(option);
        }

        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0 || parsed.Action is not null)
        {
            return parsed.Errors.Count > 0 ? Fail(parsed.Errors[0].Message) : await parsed.InvokeAsync();
        }

        var relayed = parsed.GetValue(ThroughRelay);
        Console.WriteLine($"load benchmark: server with test pattern {Width}x{Height} at {FrameRate} fps, viewers on loopback, "
            + $"{Environment.ProcessorCount} cores shared by server, ffmpeg and viewers"
            + (relayed ? "; the viewers watch a relay of that server (a second server process), and the numbers are the relay's" : ""));
        var passed = true;
        var only = parsed.GetValue(Only);
        if (only is null or "fanout")
        {
            foreach (var count in parsed.GetValue(Viewers)!)
            {
                passed &= await FanOutAsync(count, TimeSpan.FromSeconds(parsed.GetValue(Window)), relayed);
            }
        }

        if (only is null or "stalled")
        {
            passed &= await StalledAsync(parsed.GetValue(Stalled), parsed.GetValue(Healthy), TimeSpan.FromSeconds(parsed.GetValue(StallSeconds)),
                TimeSpan.FromSeconds(parsed.GetValue(StallCycle)), relayed);
        }

        Console.WriteLine(passed ? "load benchmark: every goal met" : "load benchmark: some goals missed (see above)");
        return passed ? 0 : 1;
    }

    /// <summary>N viewers connecting at once; each must get its header within 2 s and at least 95% of the pictures.</summary>
    private static async Task<bool> FanOutAsync(int count, TimeSpan window, bool relayed)
    {
        Console.WriteLine();
        Console.WriteLine($"== fan-out: {count} viewers connecting at once, {window.TotalSeconds:0} s window");
        await using var chain = await StartServerAsync(relayed);
        var server = chain.Last;
        var header = JsmpHeader.Create(new FrameFormat(Width, Height));

        double residentWithOne;
        await using (var one = ViewerFleet.Start(server.WebSocketUri, 1, header))
        {
            await one.WaitForHeadersAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromSeconds(5));
            residentWithOne = server.ResidentBytes() / MegaByte;
            var (toHeader, toFirstPicture) = await MeasureInstantStartAsync(server.WebSocketUri, header, joins: 20);
            Print($"instant start, 20 viewers joining one by one at random points of the GOP: header {toHeader.Format(" ms")}; "
                + $"first picture {toFirstPicture.Format(" ms")} after connecting");
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var fleet = ViewerFleet.Start(server.WebSocketUri, count, header);
        await fleet.WaitForHeadersAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var cpuBefore = server.CpuTime();
        fleet.BeginWindow();
        var peakResident = await SampleResidentAsync(server, window, _ => { });
        fleet.EndWindow();
        var cpu = (server.CpuTime() - cpuBefore) / window;
        var residentWithCrowd = server.ResidentBytes() / MegaByte;
        var report = fleet.Report(FrameRate);

        Print($"headers: {report.HeadersOk}/{count} correct; time to header {report.HeaderMs.Format(" ms")}");
        Print($"first picture: {report.FirstPictureMs.Format(" ms")} after connecting");
        Print($"pictures in the window: {report.ExpectedPictures:0} expected each; received min {report.ReceivedShare.Min:P1}, "
            + $"p1 {report.ReceivedShare.P1:P1}, median {report.ReceivedShare.P50:P1}; {report.ViewersAtOrAbove95Percent}/{count} viewers at >= 95%");
        Print($"same I picture, later than the first viewer: {report.BehindFirstViewerMs.Format(" ms")}");
        Print($"server RSS: {residentWithOne:0} MB with 1 viewer, {residentWithCrowd:0} MB with {count} (peak {peakResident:0} MB); "
            + $"server CPU {cpu:P0} of one core (ffmpeg apart)");
        PrintFailures(report.Failures);
        PrintServerSummaries(server);

        var ok = report.HeadersOk == count && report.HeaderMs.Max <= 2000 && report.ViewersAtOrAbove95Percent == count;
        Print($"goal (all headers within 2 s, every viewer >= 95% of pictures): {(ok ? "met" : "MISSED")}");
        return ok;
    }

    /// <summary>Stalled viewers beside healthy ones: the healthy keep full rate, the server's memory stays flat.</summary>
    private static async Task<bool> StalledAsync(int stalledCount, int healthyCount, TimeSpan duration, TimeSpan cycle, bool relayed)
    {
        Console.WriteLine();
        Console.WriteLine($"== stalled viewers: {stalledCount} that never read beside {healthyCount} healthy ones, for {duration.TotalSeconds:0} s"
            + (cycle > TimeSpan.Zero ? $" (each stalled one reconnects after {cycle.TotalSeconds:0} s)" : ""));
        await using var chain = await StartServerAsync(relayed);
        var server = chain.Last;
        await using var healthy = ViewerFleet.Start(server.WebSocketUri, healthyCount, JsmpHeader.Create(new FrameFormat(Width, Height)));
        await healthy.WaitForHeadersAsync(TimeSpan.FromSeconds(10));
        // Long enough for the runtime to settle (tiered JIT) with the healthy ones alone.
        await Task.Delay(TimeSpan.FromSeconds(15));
        var residentBefore = server.ResidentBytes() / MegaByte;

        healthy.BeginWindow();
        double peakResident, residentAfter, residentAfterFirstCycle = double.NaN;
        var firstCycleOver = TimeSpan.FromSeconds(Math.Floor(Math.Min(duration.TotalSeconds / 2, cycle > TimeSpan.Zero ? cycle.TotalSeconds + 5 : 20)));
        var stalled = StalledFleet.Start(server.WebSocketUri, stalledCount, cycle);
        await using (stalled)
        {
            peakResident = await SampleResidentAsync(server, duration, elapsed =>
            {
                if (elapsed >= firstCycleOver && double.IsNaN(residentAfterFirstCycle))
                {
                    residentAfterFirstCycle = server.ResidentBytes() / MegaByte;
                }

                if ((int)elapsed.TotalSeconds % 20 == 0)
                {
                    Print($"  {elapsed.TotalSeconds,4:0} s: server RSS {server.ResidentBytes() / MegaByte:0} MB, {stalled.Result.Connections} stalled connections so far");
                }
            });
            residentAfter = server.ResidentBytes() / MegaByte;
        }

        // Read after disposing: stalled viewers that never reconnect check how they ended only then.
        var outcome = stalled.Result;

        healthy.EndWindow();
        var report = healthy.Report(FrameRate);
        Print($"healthy viewers: received min {report.ReceivedShare.Min:P1}, median {report.ReceivedShare.P50:P1} of the pictures; "
            + $"{report.ViewersAtOrAbove95Percent}/{healthyCount} at >= 95%");
        Print($"stalled connections: {outcome.Connections} in all; the server ended {outcome.ClosedWith1008 + outcome.ClosedOtherwise + outcome.Aborted} "
            + $"of those checked ({outcome.ClosedWith1008} with close code 1008, {outcome.ClosedOtherwise} with another code, {outcome.Aborted} aborted "
            + $"because their window was full), {outcome.StillOpen} still open when checked{(outcome.FailedToConnect > 0 ? $", {outcome.FailedToConnect} failed to connect" : "")}");
        Print($"server RSS: {residentBefore:0} MB before, {residentAfter:0} MB at the end (growth {residentAfter - residentBefore:+0.0;-0.0} MB, "
            + $"peak {peakResident:0} MB); after {firstCycleOver.TotalSeconds:0} s {residentAfterFirstCycle:0} MB, so "
            + $"{residentAfter - residentAfterFirstCycle:+0.0;-0.0} MB in the last {(duration - firstCycleOver).TotalSeconds:0} s");
        PrintFailures(report.Failures);
        PrintServerSummaries(server);

        var ok = report.ViewersAtOrAbove95Percent == healthyCount && residentAfter - residentBefore < 20;
        Print($"goal (healthy ones >= 95% of pictures, RSS growth < 20 MB): {(ok ? "met" : "MISSED")}");
        return ok;
    }

    /// <summary>Viewers joining one at a time at random moments: how soon each has its header and its first picture.</summary>
    private static async Task<(Distribution Header, Distribution FirstPicture)> MeasureInstantStartAsync(Uri uri, byte[] header, int joins)
    {
        var toHeader = new List<double>();
        var toFirstPicture = new List<double>();
        for (var i = 0; i < joins; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 600)));
            await using var viewer = ViewerFleet.Start(uri, 1, header);
            var report = await viewer.WaitForFirstPicturesAsync(TimeSpan.FromSeconds(5));
            toHeader.Add(report.HeaderMs.Max);
            toFirstPicture.Add(report.FirstPictureMs.Max);
        }

        return (Distribution.Of(toHeader), Distribution.Of(toFirstPicture));
    }

    /// <param name="relayed">the viewers watch a relay of the server (--relay).</param>
    private static Task<RelayChain> StartServerAsync(bool relayed) =>
        RelayChain.StartAsync(["--width", $"{Width}", "--height", $"{Height}", "--framerate", FrameRate.ToString(CultureInfo.InvariantCulture)], relayed ? 1 : 0,
            StartTimeout);

    /// <summary>Samples the server's RSS every second for <paramref name="duration"/>; returns the peak in MB.</summary>
    private static async Task<double> SampleResidentAsync(BenchmarkServer server, TimeSpan duration, Action<TimeSpan> everySecond)
    {
        var peak = 0.0;
        var stopwatch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (stopwatch.Elapsed < duration && await timer.WaitForNextTickAsync())
        {
            peak = Math.Max(peak, server.ResidentBytes() / MegaByte);
            everySecond(TimeSpan.FromSeconds(Math.Round(stopwatch.Elapsed.TotalSeconds)));
        }

        return peak;
    }

    private static void PrintFailures(IReadOnlyDictionary<string, int> failures)
    {
        foreach (var (reason, count) in failures.OrderByDescending(f => f.Value).Take(5))
        {
            Print($"failed: {count} x {reason}");
        }
    }

    private static void PrintServerSummaries(BenchmarkServer server)
    {
        foreach (var line in server.Log.Where(l => l.Contains("viewers:", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal)).TakeLast(3))
        {
            Print($"server log: {line}");
        }
    }

    private static void Print(string line) => Console.WriteLine("  " + line);

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}
