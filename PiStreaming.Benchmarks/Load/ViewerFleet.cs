using System.Diagnostics;

namespace PiStreaming.Benchmarks.Load;

/// <summary>
/// Many WebSocket viewers on one server, all connecting at once. Usable on its own or beside another
/// benchmark (e.g. a browser measuring latency while a thousand viewers watch):
/// <code>
/// await using var fleet = ViewerFleet.Start(wsUri, 1000);
/// await fleet.WaitForHeadersAsync(TimeSpan.FromSeconds(10));
/// fleet.BeginWindow(); ... fleet.EndWindow(); var report = fleet.Report(24);
/// </code>
/// </summary>
internal sealed class ViewerFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<LoadViewer> viewers;
    private readonly Task[] running;
    private readonly long startedAt;
    private long windowStart, windowEnd;
    private long[] picturesAtWindowStart = [];
    private long[] picturesAtWindowEnd = [];

    private ViewerFleet(Uri uri, int count, byte[]? expectedHeader)
    {
        viewers = Enumerable.Range(0, count).Select(_ => new LoadViewer(expectedHeader)).ToList();
        startedAt = Stopwatch.GetTimestamp();
        running = viewers.Select(v => v.RunAsync(uri, stop.Token)).ToArray();
    }

    public int Count => viewers.Count;

    /// <summary>Starts <paramref name="count"/> viewers connecting to <paramref name="webSocketUri"/> at once.</summary>
    /// <param name="expectedHeader">the exact jsmp header each must get first (null: any jsmp header).</param>
    public static ViewerFleet Start(Uri webSocketUri, int count, byte[]? expectedHeader = null) => new(webSocketUri, count, expectedHeader);

    /// <summary>Waits until every viewer has its header or has failed, or the time is up.</summary>
    public async Task WaitForHeadersAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (viewers.Any(v => v.HeaderAt == 0 && v.Failure is null) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until every viewer has its first picture or has failed, or the time is up; then reports.</summary>
    public async Task<FleetReport> WaitForFirstPicturesAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (viewers.Any(v => v.FirstPictureAt == 0 && v.Failure is null) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(5);
        }

        return Report(picturesPerSecond: 0);
    }

    /// <summary>Starts the measuring window: pictures are counted from here.</summary>
    public void BeginWindow()
    {
        picturesAtWindowStart = viewers.Select(v => v.Pictures).ToArray();
        viewers.ForEach(v => v.RecordIntraArrivals(true));
        windowStart = Stopwatch.GetTimestamp();
    }

    public void EndWindow()
    {
        windowEnd = Stopwatch.GetTimestamp();
        picturesAtWindowEnd = viewers.Select(v => v.Pictures).ToArray();
        viewers.ForEach(v => v.RecordIntraArrivals(false));
    }

    /// <summary>Pictures all viewers together received in the window (each one a send by the server).</summary>
    public long WindowPictures => picturesAtWindowEnd.Sum() - picturesAtWindowStart.Sum();

    /// <summary>What the viewers saw; <paramref name="picturesPerSecond"/> is the stream's nominal rate.</summary>
    public FleetReport Report(double picturesPerSecond)
    {
        var windowSeconds = Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;
        var expected = windowSeconds * picturesPerSecond;
        var received = picturesAtWindowEnd.Zip(picturesAtWindowStart, (end, start) => (double)(end - start)).ToList();

        // How long after the first viewer each viewer got the same I picture.
        var behindFirst = viewers.SelectMany(v => v.IntraArrivals)
            .GroupBy(a => a.Hash)
            .Where(g => g.Count() > viewers.Count / 2)
            .SelectMany(g =>
            {
                var first = g.Min(a => a.At);
                return g.Select(a => Stopwatch.GetElapsedTime(first, a.At).TotalMilliseconds);
            })
            .ToList();

        return new FleetReport(
            Viewers: viewers.Count,
            HeadersOk: viewers.Count(v => v.HeaderOk),
            HeaderMs: Milliseconds(viewers.Where(v => v.HeaderAt != 0).Select(v => v.HeaderAt)),
            FirstPictureMs: Milliseconds(viewers.Where(v => v.FirstPictureAt != 0).Select(v => v.FirstPictureAt)),
            WindowSeconds: windowSeconds,
            ExpectedPictures: expected,
            ReceivedShare: Distribution.Of(received.Select(r => r / expected)),
            ViewersAtOrAbove95Percent: received.Count(r => r >= 0.95 * expected),
            BehindFirstViewerMs: Distribution.Of(behindFirst),
            Failures: viewers.Where(v => v.Failure is not null).GroupBy(v => v.Failure!).ToDictionary(g => g.Key, g => g.Count()));
    }

    /// <summary>Disconnects every viewer.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(running);
        stop.Dispose();
    }

    private Distribution Milliseconds(IEnumerable<long> timestamps) =>
        Distribution.Of(timestamps.Select(t => Stopwatch.GetElapsedTime(startedAt, t).TotalMilliseconds));
}
