using System.Diagnostics;
using System.Net.WebSockets;

namespace PiStreaming.Benchmarks.Latency;

/// <summary>
/// How long each relay hop holds a picture, without a browser in the way: one WebSocket viewer on every
/// server of a <see cref="RelayChain"/> notes when each message arrives (same machine, same clock), and the
/// same message (a relay passes the bytes on unchanged) arriving at relay N and at the server before it gives
/// that hop's delay. The viewers watch the stream the browser plays (MPEG-1 or H.264).
/// </summary>
internal sealed class HopTimer : IAsyncDisposable
{
    private readonly List<(ClientWebSocket Socket, Dictionary<string, long> Arrivals, Task Reading)> viewers = [];
    private readonly CancellationTokenSource stop = new();

    private HopTimer()
    {
    }

    /// <param name="h264">time the H.264 stream (/video.h264), not MPEG-1.</param>
    public static async Task<HopTimer> StartAsync(IEnumerable<BenchmarkServer> chain, bool h264)
    {
        var timer = new HopTimer();
        foreach (var server in chain)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(h264 ? new Uri(server.WebSocketUri, "video.h264") : server.WebSocketUri, CancellationToken.None);
            var arrivals = new Dictionary<string, long>();
            timer.viewers.Add((socket, arrivals, ReadAsync(socket, arrivals, timer.stop.Token)));
        }

        return timer;
    }

    /// <summary>Per hop (relay 1 after the origin, relay 2 after relay 1, ...): the delays of the messages all viewers got, in ms.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<double>>> StopAsync()
    {
        await stop.CancelAsync();
        foreach (var (_, _, reading) in viewers)
        {
            await reading;
        }

        var hops = new List<IReadOnlyList<double>>();
        for (var i = 1; i < viewers.Count; i++)
        {
            var before = viewers[i - 1].Arrivals;
            var after = viewers[i].Arrivals;
            hops.Add([.. after.Where(a => before.ContainsKey(a.Key)).Select(a => Stopwatch.GetElapsedTime(before[a.Key], a.Value).TotalMilliseconds)]);
        }

        return hops;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var (socket, _, _) in viewers)
        {
            socket.Dispose();
        }

        stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task ReadAsync(ClientWebSocket socket, Dictionary<string, long> arrivals, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var at = Stopwatch.GetTimestamp();
                // Messages of a few bytes (a lone start code) are alike; pictures are not.
                if (length > 64)
                {
                    arrivals.TryAdd(Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(buffer.AsSpan(0, length))), at);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }
}
