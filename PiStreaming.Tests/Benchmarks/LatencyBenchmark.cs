namespace PiStreaming.Benchmarks;

/// <summary>Glass-to-glass latency in a real browser (issue: browser benchmark).</summary>
public static class LatencyBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("latency benchmark: not built yet");
        return Task.FromResult(1);
    }
}
