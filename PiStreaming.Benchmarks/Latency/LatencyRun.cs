using System.Diagnostics;
using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Benchmarks.Latency;

/// <summary>
/// One server run: start the server, time the first picture of several fresh page loads, then
/// watch one page for the measured window, reading the frame stamp of every picture it draws.
/// </summary>
internal sealed class LatencyRun(Chromium chromium, LatencyOptions options, TextWriter progress)
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan BetweenLoads = TimeSpan.FromMilliseconds(370); // not a multiple of the GOP time
    private const float PictureTimeoutMs = 20_000;

    public async Task<RunResult> MeasureAsync(string run, CancellationToken cancellationToken)
    {
        var label = run.Length == 0 ? "defaults" : run;
        var (relays, serverArguments) = RelayChain.Split(options.ServerArgumentsFor(run));
        progress.WriteLine($"[{label}] starting server: {(serverArguments.Count == 0 ? "defaults" : string.Join(' ', serverArguments))}"
            + (relays > 0 ? $", then {relays} relay(s) in a chain" : ""));
        await using var chain = await RelayChain.StartAsync(serverArguments, relays, TimeSpan.FromSeconds(30));
        // The origin encodes; the browser (and any other viewers) watch the last relay of the chain.
        var server = chain.Origin;
        var watched = chain.Last;
        var url = new Uri(watched.HttpUri, "index.html" + LatencyOptions.PageQueryFor(run)).ToString();

        // One load first that is not counted: it warms up the just-started server and the browser,
        // so that every run's loads measure a viewer opening the page of a running server.
        await TimeFirstPictureAsync(url);
        var firstPictures = new List<double>();
        var firstPicturesAfterOpen = new List<double>();
        var firstOnScreen = new List<double>();
        for (var load = 1; load <= options.PageLoads; load++)
        {
            await Task.Delay(BetweenLoads, cancellationToken);
            var (fromNavigation, fromSocketOpen, onScreen, firstPaint) = await TimeFirstPictureAsync(url);
            firstPictures.Add(fromNavigation);
            firstPicturesAfterOpen.Add(fromSocketOpen);
            firstOnScreen.Add(onScreen);
            progress.WriteLine($"[{label}] page load {load}: first paint of the page after {firstPaint:F0} ms, camera on screen after {onScreen:F0} ms; "
                + $"first video picture after {fromNavigation:F0} ms ({fromSocketOpen:F0} ms after the socket opened)");
        }

        // A crowd watching too: the browser's latency under load is the number that matters.
        await using var fleet = options.ExtraViewers > 0
            ? Load.ViewerFleet.Start(watched.WebSocketUri, options.ExtraViewers)
            : null;
        if (fleet is not null)
        {
            await fleet.WaitForHeadersAsync(TimeSpan.FromSeconds(30));
            progress.WriteLine($"[{label}] {options.ExtraViewers} more WebSocket viewers watching");
        }

        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await OpenAsync(page, url);
        await Task.Delay(Warmup, cancellationToken);
        await PictureProbe.TakeAsync(page);
        var unreadableBefore = await PictureProbe.UnreadableCountAsync(page);
        var readingMsBefore = await PictureProbe.ReadingMsAsync(page);
        // The video encoder the page watches: libx264 when it plays H.264, mpeg1video otherwise.
        var playsH264 = await PictureProbe.CodecAsync(page) == "h264";
        var encoderPid = server.EncoderPid(playsH264 ? "libx264" : "mpeg1video");
        var serverCpu = ProcessUsage.CpuTime(server.Pid);
        var encoderCpu = encoderPid is { } e ? ProcessUsage.CpuTime(e) : TimeSpan.Zero;
        var relayCpu = ProcessUsage.CpuTime(watched.Pid);
        await using var hops = relays > 0 ? await HopTimer.StartAsync(chain.Servers, playsH264) : null;
        var clock = Stopwatch.StartNew();
        fleet?.BeginWindow();
        progress.WriteLine($"[{label}] measuring for {options.Seconds} s");

        await Task.Delay(TimeSpan.FromSeconds(options.Seconds), cancellationToken);

        var pictures = await PictureProbe.TakeAsync(page);
        fleet?.EndWindow();
        var hopDelays = hops is null ? [] : await hops.StopAsync();
        var unreadable = await PictureProbe.UnreadableCountAsync(page) - unreadableBefore;
        var readingMs = await PictureProbe.ReadingMsAsync(page) - readingMsBefore;
        var seconds = clock.Elapsed.TotalSeconds;
        var serverUse = Use(server.Pid, serverCpu, seconds);
        var encoderUse = encoderPid is { } pid ? Use(pid, encoderCpu, seconds) : new ResourceUse(double.NaN, double.NaN);
        var relayUse = relays > 0 ? Use(watched.Pid, relayCpu, seconds) : new ResourceUse(double.NaN, double.NaN);
        var frames = FullFrameNumbers(pictures);
        return new RunResult
        {
            Label = label,
            LatenciesMs = pictures.Select(p => p.LatencyMs).ToList(),
            MeasuredSeconds = seconds,
            PicturesDrawn = pictures.Length + unreadable,
            UnreadableStamps = unreadable,
            DistinctFramesDrawn = frames.Distinct().Count(),
            FramesProduced = frames.Count == 0 ? 0 : (int)(frames.Max() - frames.Min() + 1),
            FirstPictureMs = firstPictures,
            FirstPictureAfterSocketOpenMs = firstPicturesAfterOpen,
            FirstOnScreenMs = firstOnScreen,
            Renderer = await PictureProbe.RendererAsync(page) ?? "-",
            StampReadingMsPerPicture = readingMs / Math.Max(pictures.Length + unreadable, 1),
            Server = serverUse,
            Encoder = encoderUse,
            Relays = relays,
            HopDelaysMs = hopDelays,
            LastRelay = relayUse,
            Fleet = fleet?.Report(FrameRate(serverArguments)),
        };
    }

    private static double FrameRate(IReadOnlyList<string> serverArguments)
    {
        var at = serverArguments.ToList().FindIndex(a => a is "--framerate" or "-r");
        return at >= 0 && at + 1 < serverArguments.Count
            ? double.Parse(serverArguments[at + 1], System.Globalization.CultureInfo.InvariantCulture)
            : new PiStreaming.Options.ServerOptions().FrameRate;
    }

    /// <summary>Milliseconds from the start of navigation to the first video picture drawn, in a fresh browser context.</summary>
    /// <returns>from navigation start, from the video socket opening (what the server controls), and to the first
    /// camera picture on screen: the still snapshot or the video, whichever came first.</returns>
    private async Task<(double FromNavigation, double FromSocketOpen, double OnScreen, double FirstPaint)> TimeFirstPictureAsync(string url)
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await OpenAsync(page, url);
        var video = await PictureProbe.FirstPictureMsAsync(page) ?? double.NaN;
        var still = await PictureProbe.FirstStillMsAsync(page) ?? double.PositiveInfinity;
        // Nothing is on screen before the browser's first paint, however early the picture was ready.
        var firstPaint = await PictureProbe.FirstPaintMsAsync(page) ?? double.NaN;
        return (video, await PictureProbe.FirstPictureAfterSocketOpenMsAsync(page) ?? double.NaN, Math.Max(Math.Min(video, still), firstPaint), firstPaint);
    }

    private static async Task OpenAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await page.WaitForFunctionAsync("() => window.pictureProbe.firstPictureMs !== null", null, new() { Timeout = PictureTimeoutMs });
    }

    private static ResourceUse Use(int pid, TimeSpan cpuBefore, double seconds) =>
        new((ProcessUsage.CpuTime(pid) - cpuBefore).TotalSeconds / seconds * 100, ProcessUsage.ResidentBytes(pid) / 1024.0 / 1024.0);

    // Stamps carry the frame number modulo 65536; pictures arrive in order, so unwrap step by step.
    private static List<long> FullFrameNumbers(IReadOnlyList<DrawnPicture> pictures)
    {
        var frames = new List<long>(pictures.Count);
        foreach (var picture in pictures)
        {
            if (frames.Count == 0)
            {
                frames.Add(picture.Frame);
                continue;
            }

            var step = (picture.Frame - frames[^1]) & 0xFFFF;
            frames.Add(frames[^1] + (step >= 0x8000 ? step - 0x10000 : step));
        }

        return frames;
    }
}
