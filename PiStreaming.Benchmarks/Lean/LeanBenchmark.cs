using System.CommandLine;
using System.Globalization;

namespace PiStreaming.Benchmarks.Lean;

/// <summary>
/// ./build.sh bench lean: memory, start-up, CPU per frame and CPU per picture sent (issue 14), for today's
/// build (--baseline, built by build.sh from main at the commit before this work) and the new one, side by side.
/// Builds take turns within each round (in the other order the next round), so machine load hits both alike.
/// </summary>
internal static class LeanBenchmark
{
    private static readonly Option<string> Baseline = new("--baseline") { Description = "PiStreaming.dll (or executable) of today's build" };

    private static readonly Option<string[]> Builds = new("--build")
    {
        Description = "More builds: NAME=PATH[,VAR=VALUE...] (a PiStreaming.dll or a published executable, with environment variables); repeatable",
        DefaultValueFactory = _ => [],
    };

    private static readonly Option<int> Rounds = new("--rounds") { Description = "Rounds over all builds [default: 2]", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> Window = new("--window") { Description = "Seconds each CPU figure is measured over [default: 20]", DefaultValueFactory = _ => 20 };
    private static readonly Option<int> Starts = new("--starts") { Description = "Start-ups timed per build and round [default: 5]", DefaultValueFactory = _ => 5 };

    private static readonly Option<int> StallSeconds = new("--stall-seconds")
    {
        Description = "How long 100 viewers stay stalled, in the first round (0: skip that part) [default: 120]",
        DefaultValueFactory = _ => 120,
    };

    private static readonly Option<string[]> Only = new("--only")
    {
        Description = "Run only these parts: startup, one, stdin, camera, fanout, stalled, control (the stalled run without stalled viewers)",
        DefaultValueFactory = _ => [],
        AllowMultipleArgumentsPerToken = true,
    };

    // Name, goal (as printed), and whether a figure meets it.
    private static readonly (string Prefix, string Goal, Func<double, bool> Met)[] Goals =
    [
        ("RSS, 1 viewer", "< 40", v => v < 40),
        ("RSS, 1000 viewers", "< 90", v => v < 90),
        ("RSS growth, 100 stalled", "< 20", v => v < 20),
        ("start to first WebSocket byte", "< 150", v => v < 150),
        ("CPU, stdin 640x480@24", "< 3", v => v < 3),
        ("CPU, camera tool 640x480@24", "< 3", v => v < 3),
        ("fan-out, 2000 viewers: CPU per picture sent", "<= 11", v => v <= 11),
        ("fan-out, 2000 viewers: pictures", ">= 95", v => v >= 95),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var command = new RootCommand("./build.sh bench lean: memory, start-up and CPU of today's build and the new one, side by side");
        foreach (var option in new Option[] { Baseline, Builds, Rounds, Window, Starts, StallSeconds, Only })
        {
            command.Options.Add(option);
        }

        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0 || parsed.Action is not null)
        {
            return parsed.Errors.Count > 0 ? Fail(parsed.Errors[0].Message) : await parsed.InvokeAsync();
        }

        var builds = new List<ServerBuild>();
        if (parsed.GetValue(Baseline) is { } baseline)
        {
            builds.Add(new ServerBuild("today", Path.GetFullPath(baseline), new Dictionary<string, string>()));
        }

        builds.Add(ServerBuild.Current);
        foreach (var spec in parsed.GetValue(Builds)!)
        {
            if (ParseBuild(spec) is not { } build)
            {
                return Fail($"--build {spec}: expected NAME=PATH[,VAR=VALUE...]");
            }

            builds.Add(build);
        }

        var only = parsed.GetValue(Only)!;
        bool Runs(string part) => only.Length == 0 || only.Contains(part);
        var window = TimeSpan.FromSeconds(parsed.GetValue(Window));
        var stall = TimeSpan.FromSeconds(parsed.GetValue(StallSeconds));
        var rounds = parsed.GetValue(Rounds);
        Console.WriteLine($"lean benchmark: {string.Join(", ", builds.Select(b => $"{b.Name} = {Describe(b)}"))}; {rounds} rounds, "
            + $"{window.TotalSeconds:0} s CPU windows, {Environment.ProcessorCount} cores shared by server, ffmpeg and viewers");
        var figures = builds.ToDictionary(b => b.Name, _ => new Dictionary<string, List<double>>());
        var loads = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            loads.Add(LoadAverage());
            var order = round % 2 == 0 ? builds : Enumerable.Reverse(builds).ToList();
            // The two-minute stalled run once per build: it measures growth, which one run shows.
            foreach (var part in Parts(Runs, round == 0 ? stall : TimeSpan.Zero, parsed.GetValue(Starts)))
            {
                foreach (var build in order)
                {
                    var measures = new LeanMeasures(build, window, line => Console.WriteLine($"  round {round + 1}: {line}"));
                    try
                    {
                        await part(measures);
                    }
                    catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
                    {
                        Console.WriteLine($"  round {round + 1}: {build.Name}: failed: {e.Message.Split('\n')[0]}");
                    }

                    foreach (var (name, value) in measures.Figures)
                    {
                        (figures[build.Name].TryGetValue(name, out var list) ? list : figures[build.Name][name] = []).Add(value);
                    }
                }
            }
        }

        loads.Add(LoadAverage());
        PrintTable(builds, figures);
        Console.WriteLine($"load average (1, 5, 15 min) at the start of each round and at the end: {string.Join(" | ", loads)}");
        return 0;
    }

    private static IEnumerable<Func<LeanMeasures, Task>> Parts(Func<string, bool> runs, TimeSpan stall, int starts)
    {
        if (runs("startup"))
        {
            yield return m => m.StartupAsync(starts);
        }

        if (runs("one"))
        {
            yield return m => m.OneViewerAsync();
        }

        if (runs("stdin"))
        {
            yield return m => m.StandardInputAsync(LeanMeasures.Small, 24);
            yield return m => m.StandardInputAsync(LeanMeasures.Large, 30);
        }

        if (runs("camera"))
        {
            yield return m => m.CameraToolAsync(LeanMeasures.Small, 24);
            yield return m => m.CameraToolAsync(LeanMeasures.Large, 30);
        }

        if (runs("fanout"))
        {
            yield return m => m.FanOutAsync();
        }

        if (runs("stalled") && stall > TimeSpan.Zero)
        {
            yield return m => m.StalledAsync(stall);
        }

        if (runs("control") && stall > TimeSpan.Zero)
        {
            yield return m => m.StalledAsync(stall, stalledViewers: 0);
        }
    }

    /// <summary>One row per figure, one column per build: the median over the rounds, and the spread (min-max) when there are several.</summary>
    private static void PrintTable(List<ServerBuild> builds, Dictionary<string, Dictionary<string, List<double>>> figures)
    {
        var names = figures.Values.SelectMany(f => f.Keys).Distinct().ToList();
        Console.WriteLine();
        Console.WriteLine($"| figure | {string.Join(" | ", builds.Select(b => b.Name))} | goal |");
        Console.WriteLine($"| --- |{string.Concat(builds.Select(_ => " --- |"))} --- |");
        foreach (var name in names)
        {
            var cells = builds.Select(b => figures[b.Name].TryGetValue(name, out var values) ? Cell(values) : "-");
            var goal = Goals.FirstOrDefault(g => name.StartsWith(g.Prefix, StringComparison.Ordinal));
            var verdict = goal.Goal is null
                ? ""
                : $"{goal.Goal}: {(figures[builds[^1].Name].TryGetValue(name, out var last) && goal.Met(Median(last)) ? "met" : "missed")}"
                  + (builds.Count > 2 ? $" ({builds[^1].Name})" : "");
            Console.WriteLine($"| {name} | {string.Join(" | ", cells)} | {verdict} |");
        }
    }

    private static string Cell(List<double> values) =>
        values.Count == 1 ? Format(values[0]) : $"{Format(Median(values))} ({Format(values.Min())}-{Format(values.Max())})";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static ServerBuild? ParseBuild(string spec)
    {
        var parts = spec.Split(',');
        var at = parts[0].IndexOf('=');
        if (at <= 0)
        {
            return null;
        }

        var environment = new Dictionary<string, string>();
        foreach (var variable in parts.Skip(1))
        {
            var equals = variable.IndexOf('=');
            if (equals <= 0)
            {
                return null;
            }

            environment[variable[..equals]] = variable[(equals + 1)..];
        }

        return new ServerBuild(parts[0][..at], Path.GetFullPath(parts[0][(at + 1)..]), environment);
    }

    private static string Describe(ServerBuild build) =>
        build.Program.Replace(Environment.CurrentDirectory + "/", "", StringComparison.Ordinal)
        + (build.Environment.Count > 0 ? $" with {string.Join(' ', build.Environment.Select(e => $"{e.Key}={e.Value}"))}" : "");

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}
