using PiStreaming.Benchmarks.Latency;
using PiStreaming.Tests.Support;

namespace PiStreaming.Benchmarks;

/// <summary>
/// Glass-to-glass latency in a real browser: the test pattern stamps each frame with the time it was
/// produced, headless Chromium reads the stamp of every picture jsmpg.js draws, and the difference
/// to the draw time (same machine, same clock) is the latency. Several server runs (--compare) are
/// measured one after the other and printed side by side.
/// </summary>
internal static class LatencyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        LatencyOptions options;
        try
        {
            options = LatencyOptions.Parse(args);
            foreach (var run in options.Runs)
            {
                _ = RelayChain.Split(options.ServerArgumentsFor(run));
            }
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{LatencyOptions.Usage}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            await using var chromium = await Chromium.LaunchAsync();
            var measure = new LatencyRun(chromium, options, Console.Error);
            var results = new List<RunResult>();
            foreach (var run in options.Runs)
            {
                results.Add(await measure.MeasureAsync(run, stop.Token));
            }

            Console.WriteLine();
            Console.WriteLine($"latency benchmark: {options.Seconds:0.#} s measured per server run after {options.PageLoads} fresh page loads; "
                + $"headless Chromium {chromium.Browser.Version}, {Environment.ProcessorCount} cores; server arguments: "
                + (options.CommonServerArguments.Count == 0 ? "defaults (640x480, 24 fps, 800 kbit/s)" : string.Join(' ', options.CommonServerArguments)));
            ResultTable.Print(Console.Out, results);
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("latency benchmark: stopped");
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or TimeoutException or Microsoft.Playwright.PlaywrightException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
