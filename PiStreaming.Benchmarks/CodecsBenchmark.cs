using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;

namespace PiStreaming.Benchmarks;

/// <summary>
/// ./build.sh bench codecs [--seconds N] [--repeat N]: H.264 (libx264 with the server's own arguments) against
/// MPEG-1 (mpeg1video, the server's arguments) at 640x480@24 and 1280x720@24, on the server's test pattern and
/// on a noisy camera-like clip (testsrc2 with temporal noise). For each: the MPEG-1 stream at the server's
/// bitrate, its PSNR against the source frames (ffmpeg's psnr filter), the H.264 bitrate that reaches the same
/// PSNR (interpolated between encodes on a bitrate ladder), and each encoder's CPU (ffmpeg -benchmark: user +
/// system time over the clip's duration, % of one core in real time), repeated for the spread.
/// </summary>
internal static partial class CodecsBenchmark
{
    private static readonly (FrameFormat Format, int Mpeg1Kbps)[] Sizes = [(new(640, 480), 800), (new(1280, 720), 2000)];
    private static readonly double[] Ladder = [0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.65, 0.8, 1.0, 1.3];
    private const double FrameRate = 24;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 10);
        var repeat = (int)Option(args, "--repeat", 3);
        var work = Directory.CreateTempSubdirectory("pistreaming-codecs-");
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        var quality = new List<string[]>();
        var cpu = new List<string[]>();
        try
        {
            foreach (var (format, mpeg1Kbps) in Sizes)
            {
                foreach (var (clip, make) in Clips(format, seconds, work.FullName))
                {
                    Console.Error.WriteLine($"[{format} {clip}] making the clip");
                    var source = await make();
                    var settings = new EncoderSettings(format, Mpeg1FrameRate.For(FrameRate), mpeg1Kbps);
                    var mpeg1 = await EncodeAsync(FfmpegArguments.For(settings), "mpeg1video", source, format, seconds, work.FullName);
                    Console.Error.WriteLine($"[{format} {clip}] MPEG-1 {mpeg1Kbps} kbit/s: {mpeg1.Kbps:F0} kbit/s, PSNR {mpeg1.Psnr:F2} dB");

                    var points = new List<Encode>();
                    foreach (var factor in Ladder)
                    {
                        var kbps = Math.Max(50, (int)Math.Round(mpeg1.Kbps * factor));
                        var h264 = await EncodeAsync(H264Args(settings, kbps), "h264", source, format, seconds, work.FullName);
                        Console.Error.WriteLine($"[{format} {clip}] H.264 {kbps} kbit/s: {h264.Kbps:F0} kbit/s, PSNR {h264.Psnr:F2} dB");
                        points.Add(h264);
                        if (h264.Psnr >= mpeg1.Psnr)
                        {
                            break;
                        }
                    }

                    var equal = AtPsnr(points, mpeg1.Psnr);
                    quality.Add([$"{format}", clip, $"{mpeg1.Kbps:F0}", $"{mpeg1.Psnr:F2}", equal is { } k ? $"{k:F0}" : "-",
                        equal is { } r ? $"{r / mpeg1.Kbps * 100:F0}%" : "-"]);

                    // Encoder CPU: MPEG-1 at its bitrate, H.264 at the same quality, each repeated.
                    var h264Kbps = (int)Math.Round(equal ?? mpeg1.Kbps / 2);
                    var mpeg1Cpu = new List<double>();
                    var h264Cpu = new List<double>();
                    for (var i = 0; i < repeat; i++)
                    {
                        mpeg1Cpu.Add((await EncodeAsync(FfmpegArguments.For(settings), "mpeg1video", source, format, seconds, work.FullName, psnr: false)).CpuPercent);
                        h264Cpu.Add((await EncodeAsync(H264Args(settings, h264Kbps), "h264", source, format, seconds, work.FullName, psnr: false)).CpuPercent);
                    }

                    cpu.Add([$"{format}", clip, Spread(mpeg1Cpu), $"{h264Kbps}", Spread(h264Cpu)]);
                    File.Delete(source);
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"codecs benchmark: {seconds:0} s clips at {FrameRate} fps, {Environment.ProcessorCount} cores, repeat {repeat}; "
            + $"load average before: {loadBefore}; after: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine();
        Print(["size", "clip", "MPEG-1 kbit/s", "PSNR dB", "H.264 kbit/s at same PSNR", "H.264 / MPEG-1"], quality);
        Console.WriteLine();
        Print(["size", "clip", "mpeg1video CPU % (median, min-max)", "H.264 kbit/s", "libx264 CPU % (median, min-max)"], cpu);
        return 0;
    }

    private sealed record Encode(double Kbps, double Psnr, double CpuPercent);

    private static IReadOnlyList<string> H264Args(EncoderSettings settings, int kbps) =>
        H264Arguments.For(settings, new H264Settings(H264EncoderKind.Libx264, kbps, H264Settings.IntraPeriodFor(FrameRate), FrameRate));

    private static IEnumerable<(string Name, Func<Task<string>> Make)> Clips(FrameFormat format, double seconds, string directory)
    {
        var frames = (int)(seconds * FrameRate);
        yield return ("test pattern", async () =>
        {
            // The server's own test pattern, frame by frame, as the server paints it.
            var path = Path.Combine(directory, $"pattern-{format}.yuv");
            var painter = new TestPatternPainter(format);
            var frame = new byte[format.FrameSize];
            await using var file = File.Create(path);
            for (var i = 0; i < frames; i++)
            {
                painter.Paint(frame, i, 1_700_000_000_000 + (long)(i * 1000 / FrameRate));
                await file.WriteAsync(frame);
            }

            return path;
        }
        );
        yield return ("noisy camera", async () =>
        {
            var path = Path.Combine(directory, $"noisy-{format}.yuv");
            await RunAsync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={format}:rate={FrameRate},noise=alls=12:allf=t+u",
                "-frames:v", $"{frames}", "-pix_fmt", "yuv420p", "-f", "rawvideo", "-y", path]);
            return path;
        }
        );
    }

    /// <summary>Encodes the raw clip with the server's arguments (output to a file instead of multipart packets on stdout).</summary>
    private static async Task<Encode> EncodeAsync(IReadOnlyList<string> serverArguments, string rawFormat, string source, FrameFormat format, double seconds,
        string directory, bool psnr = true)
    {
        var output = Path.Combine(directory, "encoded." + rawFormat);
        // -benchmark reports at the info log level.
        var arguments = serverArguments.TakeWhile(a => a != "-fps_mode").Select(a => a switch { "pipe:0" => source, "warning" => "info", _ => a }).ToList();
        arguments.InsertRange(0, ["-benchmark"]);
        arguments.AddRange(["-fps_mode", "passthrough", "-f", rawFormat, "-y", output]);
        var log = await RunAsync("ffmpeg", arguments);
        var match = BenchLine().Match(log);
        var cpuSeconds = match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) + double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)
            : double.NaN;
        var kbps = new FileInfo(output).Length * 8 / seconds / 1000;
        var quality = double.NaN;
        if (psnr)
        {
            var report = await RunAsync("ffmpeg", ["-hide_banner", "-f", rawFormat == "mpeg1video" ? "mpegvideo" : rawFormat, "-i", output, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", format.ToString(),
                "-r", $"{FrameRate}", "-i", source, "-lavfi", "[0:v]settb=1/24,setpts=N[a];[1:v]settb=1/24,setpts=N[b];[a][b]psnr", "-f", "null", "-"]);
            var average = PsnrLine().Match(report);
            quality = average.Success ? double.Parse(average.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        }

        File.Delete(output);
        return new Encode(kbps, quality, cpuSeconds / seconds * 100);
    }

    // The H.264 bitrate at this PSNR: linear in log(bitrate) between the two encodes that bracket it.
    private static double? AtPsnr(List<Encode> points, double psnr)
    {
        var sorted = points.OrderBy(p => p.Kbps).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            var (low, high) = (sorted[i - 1], sorted[i]);
            if (low.Psnr <= psnr && psnr <= high.Psnr && high.Psnr > low.Psnr)
            {
                var t = (psnr - low.Psnr) / (high.Psnr - low.Psnr);
                return Math.Exp(Math.Log(low.Kbps) + t * (Math.Log(high.Kbps) - Math.Log(low.Kbps)));
            }
        }

        return sorted.Count > 0 && sorted[0].Psnr >= psnr ? sorted[0].Kbps : null;
    }

    private static string Spread(List<double> values)
    {
        var sorted = values.Order().ToList();
        return $"{sorted[sorted.Count / 2]:F1} ({sorted[0]:F1}-{sorted[^1]:F1})";
    }

    private static void Print(string[] header, List<string[]> rows)
    {
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await errors}");
        }

        return await output + await errors;
    }

    private static double Option(string[] args, string name, double fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? double.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    [GeneratedRegex(@"bench: utime=([0-9.]+)s stime=([0-9.]+)s")]
    private static partial Regex BenchLine();

    [GeneratedRegex(@"PSNR y:[0-9.inf]+ u:[0-9.inf]+ v:[0-9.inf]+ average:([0-9.]+)")]
    private static partial Regex PsnrLine();
}
