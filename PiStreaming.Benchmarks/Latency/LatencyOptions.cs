using System.Globalization;

namespace PiStreaming.Benchmarks.Latency;

/// <summary>
/// The latency benchmark's command line:
/// <c>[--seconds N] [--loads N] [--viewers N] [--compare "ARGS" "ARGS" ...] [--relay-chain] [-- SERVER ARGS...]</c>.
/// Each --compare string is one server run (its arguments split at spaces; a word starting with ?
/// is the page's query instead, e.g. ?codec=mse); the arguments after -- go to every run. Without
/// --compare there is one run. A run's "--relays N" puts N relays in a chain between the server and
/// the browser; --relay-chain compares 0, 1 and 2 relays, for MPEG-1 and for H.264 through WebCodecs (relays pass on both).
/// </summary>
internal sealed record LatencyOptions
{
    public double Seconds { get; init; } = 20;
    public int PageLoads { get; init; } = 20;

    /// <summary>WebSocket viewers (besides the browser) watching during the measured window.</summary>
    public int ExtraViewers { get; init; }
    public IReadOnlyList<string> Runs { get; init; } = [""];
    public IReadOnlyList<string> CommonServerArguments { get; init; } = [];

    public const string Usage =
        "usage: ./build.sh bench [latency] [--seconds N] [--loads N] [--viewers N] [--compare \"SERVER ARGS\" \"SERVER ARGS\" ...] [--relay-chain] [-- SERVER ARGS...]\n"
        + "  a run's \"--relays N\" watches through N relays in a chain (origin -> relay -> ... -> browser); --relay-chain compares 0, 1 and 2 (MPEG-1 and H.264)";

    /// <exception cref="FormatException">the arguments do not follow <see cref="Usage"/>.</exception>
    public static LatencyOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LatencyOptions();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--seconds":
                    options = options with { Seconds = Number(args, ++i, 1, 3600) };
                    break;
                case "--loads":
                    options = options with { PageLoads = (int)Number(args, ++i, 1, 100) };
                    break;
                case "--viewers":
                    options = options with { ExtraViewers = (int)Number(args, ++i, 0, 5000) };
                    break;
                case "--relay-chain":
                    options = options with
                    {
                        Runs =
                        [
                            .. new[] { "?codec=mpeg1", "?codec=webcodecs" }.SelectMany(codec =>
                                new[] { codec, $"{codec} {RelayChain.Option} 1", $"{codec} {RelayChain.Option} 2" }),
                        ],
                    };
                    break;
                case "--compare":
                    var runs = new List<string>();
                    while (i + 1 < args.Count && args[i + 1] is not ("--seconds" or "--loads" or "--viewers" or "--relay-chain" or "--"))
                    {
                        runs.Add(args[++i].Trim());
                    }

                    if (runs.Count == 0)
                    {
                        throw new FormatException("--compare needs one quoted set of server arguments per run");
                    }

                    options = options with { Runs = runs };
                    break;
                case "--":
                    return options with { CommonServerArguments = args.Skip(i + 1).ToList() };
                default:
                    throw new FormatException($"unknown option '{args[i]}' (server arguments go after --)");
            }
        }

        return options;
    }

    /// <summary>The server arguments of one run: its own, then the common ones.</summary>
    public IReadOnlyList<string> ServerArgumentsFor(string run) =>
        [.. run.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(word => !word.StartsWith('?')), .. CommonServerArguments];

    /// <summary>The page's query of one run (e.g. ?codec=mse), or "".</summary>
    public static string PageQueryFor(string run) => run.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(word => word.StartsWith('?')) ?? "";

    private static double Number(IReadOnlyList<string> args, int index, double min, double max)
    {
        if (index >= args.Count || !double.TryParse(args[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new FormatException($"{args[index - 1]} needs a number from {min} to {max}");
        }

        return value;
    }
}
