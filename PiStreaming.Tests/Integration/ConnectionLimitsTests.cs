using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using PiStreaming.Fanout;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>Connections that are too many, idle, or never finish their handshake.</summary>
public class ConnectionLimitsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Beyond_max_viewers_a_new_viewer_is_refused_with_1013_and_the_others_keep_watching()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120, MaxViewers = 2 });
        using var first = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        using var second = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        await Task.WhenAll(first.ReceiveMessagesAsync(2, Patience), second.ReceiveMessagesAsync(2, Patience));

        using var refused = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        var refusedMessages = await refused.ReceiveMessagesAsync(10, Patience);

        Assert.That(refusedMessages, Is.Empty, "not even the header");
        Assert.That(refused.CloseStatus, Is.EqualTo(WebSocketEndpoint.TryAgainLater));
        Assert.That((int)refused.CloseStatus!, Is.EqualTo(1013));
        Assert.That(await first.ReceiveMessagesAsync(24, Patience), Has.Count.EqualTo(24), "the others are unaffected");
        Assert.That(await second.ReceiveMessagesAsync(24, Patience), Has.Count.EqualTo(24));

        // A place frees up when a viewer leaves.
        await first.CloseAsync();
        await Eventually.HoldsAsync(() => server.Server.ViewerCount == 1, Patience, "the viewer left");
        using var third = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        Assert.That(await third.ReceiveMessagesAsync(2, Patience), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Idle_connections_and_unfinished_handshakes_block_neither_viewers_nor_the_page()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120 });
        var loiterers = new List<Socket>();
        try
        {
            foreach (var port in new[] { server.Server.WebSocketPort, server.Server.HttpPort })
            {
                // Connected and silent; stuck in the middle of the request line; stuck before the blank line.
                loiterers.AddRange(await ConnectManyAsync(port, 200, ""));
                loiterers.AddRange(await ConnectManyAsync(port, 50, "GET / HT"));
                loiterers.AddRange(await ConnectManyAsync(port, 50,
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"));
            }

            var stopwatch = Stopwatch.StartNew();
            using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
            var messages = await viewer.ReceiveMessagesAsync(2, Patience);
            using var http = new HttpClient { Timeout = Patience };
            using var page = await http.GetAsync(new Uri(server.HttpUri, "/index.html"));
            stopwatch.Stop();
            TestContext.Out.WriteLine($"viewer and page served in {stopwatch.ElapsedMilliseconds} ms next to {loiterers.Count} loitering connections");

            Assert.That(messages, Has.Count.EqualTo(2), "header and first picture");
            Assert.That(page.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "served at once (the original waited for ever); slack for a busy machine");
            Assert.That(server.Server.ViewerCount, Is.EqualTo(1), "half-done handshakes are not viewers");
        }
        finally
        {
            loiterers.ForEach(s => s.Dispose());
        }
    }

    private static async Task<List<Socket>> ConnectManyAsync(int port, int count, string send)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            sockets.Add(socket);
            await socket.ConnectAsync("127.0.0.1", port);
            if (send.Length > 0)
            {
                await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(send));
            }
        }

        return sockets;
    }
}
