namespace PiStreaming.Benchmarks;

/// <summary>
/// An origin server and N relays behind it, each relaying the one before (origin -> relay -> relay -> viewers),
/// all real server processes on loopback. <see cref="Last"/> is what viewers watch.
/// </summary>
internal sealed class RelayChain : IAsyncDisposable
{
    /// <summary>The benchmark's own argument for a run's relays: "--relays N" (taken out before the server's arguments).</summary>
    public const string Option = "--relays";

    private readonly List<BenchmarkServer> servers;

    private RelayChain(List<BenchmarkServer> servers) => this.servers = servers;

    /// <summary>The origin first, then each relay in order.</summary>
    public IReadOnlyList<BenchmarkServer> Servers => servers;

    public BenchmarkServer Origin => servers[0];
    public BenchmarkServer Last => servers[^1];
    public int Relays => servers.Count - 1;

    /// <summary>Takes "--relays N" out of a run's arguments.</summary>
    /// <exception cref="FormatException">N is not a number from 0 to 10.</exception>
    public static (int Relays, IReadOnlyList<string> ServerArguments) Split(IReadOnlyList<string> arguments)
    {
        var at = arguments.ToList().IndexOf(Option);
        if (at < 0)
        {
            return (0, arguments);
        }

        if (at + 1 >= arguments.Count || !int.TryParse(arguments[at + 1], out var relays) || relays is < 0 or > 10)
        {
            throw new FormatException($"{Option} needs a number of relays from 0 to 10");
        }

        return (relays, [.. arguments.Take(at), .. arguments.Skip(at + 2)]);
    }

    /// <summary>Starts the origin with <paramref name="originArguments"/>, then each relay (with the origin's --latency, if given).</summary>
    public static async Task<RelayChain> StartAsync(IReadOnlyList<string> originArguments, int relays, TimeSpan timeout)
    {
        var servers = new List<BenchmarkServer> { await BenchmarkServer.StartAsync(originArguments, timeout) };
        var chain = new RelayChain(servers);
        try
        {
            var latency = originArguments.ToList().IndexOf("--latency") is var at and >= 0 && at + 1 < originArguments.Count
                ? new[] { "--latency", originArguments[at + 1] }
                : [];
            for (var i = 0; i < relays; i++)
            {
                var upstream = servers[^1];
                servers.Add(await BenchmarkServer.StartAsync([.. latency, "--source", $"relay:ws://{upstream.Host}:{upstream.HttpPort}/video"], timeout));
            }

            return chain;
        }
        catch
        {
            await chain.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the relays first (the last one first), then the origin.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = servers.Count - 1; i >= 0; i--)
        {
            await servers[i].DisposeAsync();
        }
    }
}
