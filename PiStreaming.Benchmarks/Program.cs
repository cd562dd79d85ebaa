using PiStreaming.Benchmarks;

// ./build.sh bench [latency|load|outputs|codecs|lean] [options]: each mode starts the real server and prints its numbers.
// Without a mode, latency; its options may then come first (./build.sh bench --seconds 5).
return args.FirstOrDefault() switch
{
    "latency" => await LatencyBenchmark.RunAsync(args.Skip(1).ToArray()),
    null => await LatencyBenchmark.RunAsync([]),
    var option when option.StartsWith('-') => await LatencyBenchmark.RunAsync(args),
    "load" => await LoadBenchmark.RunAsync(args.Skip(1).ToArray()),
    "outputs" => await OutputsBenchmark.RunAsync(args.Skip(1).ToArray()),
    "codecs" => await CodecsBenchmark.RunAsync(args.Skip(1).ToArray()),
    "lean" => await PiStreaming.Benchmarks.Lean.LeanBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ./build.sh bench [latency|load|outputs|codecs|lean] [options]");
    return 2;
}
