namespace PiStreaming.Benchmarks;

/// <summary>Many WebSocket viewers at once (issue: broadcaster).</summary>
public static class LoadBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("load benchmark: not built yet");
        return Task.FromResult(1);
    }
}
