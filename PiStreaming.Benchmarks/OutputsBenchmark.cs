using System.Diagnostics;
using System.Globalization;
using PiStreaming.Benchmarks.Latency;

namespace PiStreaming.Benchmarks;

/// <summary>
/// ./build.sh bench outputs [--seconds N] [--snapshots N]: what each output costs and how fast a snapshot
/// comes, at 640x480@24 and 1280x720@30 (test pattern, the real server as a process). Per size: the
/// MPEG-1 and the JPEG encoder's CPU (each an ffmpeg process, read from /proc) while one MJPEG client
/// watches, and the time to answer <c>--snapshots</c> snapshot requests while the JPEG encoder runs.
/// </summary>
internal static class OutputsBenchmark
{
    private static readonly (string Size, string[] Arguments)[] Sizes =
    [
        ("640x480@24", ["--width", "640", "--height", "480", "--framerate", "24"]),
        ("1280x720@30", ["--width", "1280", "--height", "720", "--framerate", "30", "--bitrate", "2000"]),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 20);
        var snapshots = Option(args, "--snapshots", 50);
        var rows = new List<string[]>();
        foreach (var (size, arguments) in Sizes)
        {
            Console.Error.WriteLine($"[{size}] starting server");
            await using var server = await BenchmarkServer.StartAsync(arguments, TimeSpan.FromSeconds(30));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

            // An MJPEG client reading everything, for the whole window.
            using var watching = new CancellationTokenSource();
            var mjpeg = ReadAllAsync(http, new Uri(server.HttpUri, "stream.mjpg"), watching.Token);
            await Task.Delay(TimeSpan.FromSeconds(3)); // both encoders warm
            var encoders = ProcessUsage.Children(server.Pid).ToDictionary(pid => pid, pid => Encoder(pid));
            var cpuBefore = encoders.Keys.ToDictionary(pid => pid, ProcessUsage.CpuTime);
            var serverBefore = ProcessUsage.CpuTime(server.Pid);
            var clock = Stopwatch.StartNew();

            // Snapshots while it runs (spread over the window's first part).
            var latencies = new List<double>();
            for (var i = 0; i < snapshots; i++)
            {
                var asked = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri(server.HttpUri, "snapshot.jpg"));
                await response.Content.ReadAsByteArrayAsync();
                latencies.Add(asked.Elapsed.TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(97));
            }

            var rest = TimeSpan.FromSeconds(seconds) - clock.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            string Cpu(string codec) => string.Join(" + ", encoders.Where(e => e.Value == codec)
                .Select(e => $"{(ProcessUsage.CpuTime(e.Key) - cpuBefore[e.Key]).TotalSeconds / elapsed * 100:F1}%"));
            var serverCpu = (ProcessUsage.CpuTime(server.Pid) - serverBefore).TotalSeconds / elapsed * 100;
            await watching.CancelAsync();
            var jpegBytes = await mjpeg;

            rows.Add([size, Cpu("mpeg1video"), Cpu("mjpeg"), $"{serverCpu:F1}%",
                $"{Statistics.Percentile(latencies, 0.5):F1} / {Statistics.Percentile(latencies, 1.0):F1} ms",
                $"{jpegBytes * 8 / 1000.0 / elapsed:F0} kbit/s"]);
        }

        string[] header = ["size", "MPEG-1 encoder CPU", "JPEG encoder CPU", "server CPU", "snapshot p50 / max", "MJPEG bitrate"];
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }

        Console.WriteLine($"(CPU in % of one core over {seconds} s with one MJPEG client and one video encoder running; {snapshots} snapshots, 0.1 s apart)");
        return 0;
    }

    private static string Encoder(int pid) => (ProcessUsage.CommandLine(pid) ?? "") switch
    {
        var line when line.Contains("mpeg1video", StringComparison.Ordinal) => "mpeg1video",
        var line when line.Contains("mjpeg", StringComparison.Ordinal) => "mjpeg",
        _ => "other",
    };

    private static async Task<long> ReadAllAsync(HttpClient http, Uri uri, CancellationToken cancellationToken)
    {
        long total = 0;
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return total;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
