using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace PiStreaming.Benchmarks.Lean;

/// <summary>
/// Start of the server process to the first WebSocket byte a viewer gets (the jsmp header), and to its
/// first picture: a viewer tries to connect every few milliseconds from the moment the process starts.
/// </summary>
internal static class StartupProbe
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(20);

    public sealed record Result(double FirstByteMs, double FirstPictureMs);

    public static async Task<Result> MeasureAsync(ServerBuild build, IReadOnlyList<string> serverArguments)
    {
        var (httpPort, webSocketPort) = (FreePort(), FreePort());
        var startInfo = build.StartInfo();
        foreach (var argument in (string[])["--bind", "127.0.0.1", "--http-port", $"{httpPort}", "--ws-port", $"{webSocketPort}", .. serverArguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        var uri = new Uri($"ws://127.0.0.1:{webSocketPort}/");
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the server");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var giveUp = new CancellationTokenSource(GiveUp);
            while (true)
            {
                using var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(uri, giveUp.Token);
                }
                catch (WebSocketException) when (!process.HasExited)
                {
                    await Task.Delay(2, giveUp.Token);
                    continue;
                }

                var buffer = new byte[256 * 1024];
                await socket.ReceiveAsync(buffer.AsMemory(), giveUp.Token);
                var firstByte = Stopwatch.GetElapsedTime(started);
                ValueWebSocketReceiveResult picture;
                do
                {
                    picture = await socket.ReceiveAsync(buffer.AsMemory(), giveUp.Token);
                }
                while (!picture.EndOfMessage);

                return new Result(firstByte.TotalMilliseconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
