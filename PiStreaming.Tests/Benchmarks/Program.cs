using PiStreaming.Benchmarks;

// ./build.sh bench [latency|load] [options]: each mode starts the real server and prints its numbers.
return args.FirstOrDefault() switch
{
    "latency" or null => await LatencyBenchmark.RunAsync(args.Skip(1).ToArray()),
    "load" => await LoadBenchmark.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ./build.sh bench [latency|load] [options]");
    return 2;
}
