using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>Many viewers: Debian's nginx, started by the test on loopback, in front of two relays (docs/nginx/relays.conf as it stands).</summary>
internal class ScaleOutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Nginx_spreads_viewers_over_two_relays_and_every_viewer_gets_video_that_decodes()
    {
        await using var origin = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240 });
        var originVideo = new Uri($"ws://127.0.0.1:{origin.Server.HttpPort}/video");
        await using var relays = new RelayPair(await TestServer.StartRelayAsync(originVideo), await TestServer.StartRelayAsync(originVideo));
        var port = FreePorts.Pick(1)[0];
        var configuration = Nginx.RepositoryConfiguration("relays.conf")
            .Replace("server 127.0.0.1:8092;", $"server 127.0.0.1:{relays.First.Server.HttpPort};", StringComparison.Ordinal)
            .Replace("server 127.0.0.1:8102;", $"server 127.0.0.1:{relays.Second.Server.HttpPort};", StringComparison.Ordinal)
            .Replace("listen 8080;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal);
        Assert.That(configuration, Does.Contain($":{relays.Second.Server.HttpPort};").And.Contain($"listen 127.0.0.1:{port};"), "the example addresses were replaced");
        using var nginx = await Nginx.StartWithAsync(configuration, "", loadRtmp: false, port);

        // The page comes through nginx too (it opens its video on the address the browser used: nginx's).
        using var http = new HttpClient { Timeout = Patience };
        var page = await http.GetStringAsync($"http://127.0.0.1:{port}/index.html");
        Assert.That(page, Does.Contain("jsmpg.js"));

        var viewers = new List<WebSocketViewer>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                viewers.Add(await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/video")));
            }

            var received = await Task.WhenAll(viewers.Select(v => v.ReceiveMessagesAsync(1 + 30, Patience)));

            Assert.That((relays.First.Server.ViewerCount, relays.Second.Server.ViewerCount), Is.EqualTo((3, 3)), "least_conn: three viewers each");
            foreach (var messages in received)
            {
                Assert.That(messages, Has.Count.EqualTo(31), nginx.ErrorLog);
                Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))));
                var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
                Assert.That((decoded.Width, decoded.Height, decoded.Frames, decoded.Errors), Is.EqualTo((320, 240, 29, "")));
            }
        }
        finally
        {
            viewers.ForEach(v => v.Dispose());
        }
    }

    private sealed class RelayPair(TestServer first, TestServer second) : IAsyncDisposable
    {
        public TestServer First => first;
        public TestServer Second => second;

        public async ValueTask DisposeAsync()
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }
}
