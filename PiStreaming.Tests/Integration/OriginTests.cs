using System.Net;
using System.Net.WebSockets;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>Which pages may open the video WebSocket, through real handshakes with the server.</summary>
public class OriginTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Same_host_listed_and_absent_origins_are_accepted_and_others_get_403()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120, AllowedOrigins = ["http://dashboard.local:8123"] });
        var own = $"http://127.0.0.1:{server.Server.HttpPort}";

        Assert.Multiple(async () =>
        {
            Assert.That(await HandshakeAsync(server.WebSocketUri, own), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "the page's own host");
            Assert.That(await HandshakeAsync(server.WebSocketUri, "http://127.0.0.1:1"), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "any port of it");
            Assert.That(await HandshakeAsync(server.WebSocketUri, "http://dashboard.local:8123"), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "--allow-origin");
            Assert.That(await HandshakeAsync(server.WebSocketUri, null), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "no Origin: a media tool or script");
            Assert.That(await HandshakeAsync(server.WebSocketUri, "http://evil.example"), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await HandshakeAsync(server.WebSocketUri, "http://dashboard.local:9999"), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await HandshakeAsync(server.WebSocketUri, "null"), Is.EqualTo(HttpStatusCode.Forbidden), "sandboxed frames and files");
            Assert.That(await HandshakeAsync(new Uri($"ws://localhost:{server.Server.WebSocketPort}/"), own), Is.EqualTo(HttpStatusCode.Forbidden),
                "the host name must be the one the request was made to");
        });
        await Eventually.HoldsAsync(() => server.Server.ViewerCount == 0, Patience, "accepted viewers left again");
    }

    [Test]
    public async Task Star_accepts_any_origin()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120, AllowedOrigins = ["*"] });
        Assert.That(await HandshakeAsync(server.WebSocketUri, "http://evil.example"), Is.EqualTo(HttpStatusCode.SwitchingProtocols));
    }

    [Test]
    public async Task The_page_port_serves_the_video_at_its_path_under_the_same_origin_rule()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120 });
        var video = new Uri($"ws://127.0.0.1:{server.Server.HttpPort}/video");

        Assert.Multiple(async () =>
        {
            Assert.That(await HandshakeAsync(video, $"http://127.0.0.1:{server.Server.HttpPort}"), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "the page's own origin");
            Assert.That(await HandshakeAsync(video, null), Is.EqualTo(HttpStatusCode.SwitchingProtocols), "no Origin");
            Assert.That(await HandshakeAsync(video, "http://evil.example"), Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await HandshakeAsync(new Uri($"ws://127.0.0.1:{server.Server.HttpPort}/elsewhere"), null), Is.EqualTo(HttpStatusCode.NotFound),
                "only that path on the page port");
        });
        using var http = new HttpClient();
        using var post = await http.PostAsync(new Uri(server.HttpUri, "video"), null);
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    /// <returns>the handshake's HTTP status; an accepted viewer must also get the jsmp header.</returns>
    private static async Task<HttpStatusCode> HandshakeAsync(Uri uri, string? origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        using var cancel = new CancellationTokenSource(Patience);
        try
        {
            await socket.ConnectAsync(uri, cancel.Token);
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }

        var header = new byte[8];
        var received = await socket.ReceiveAsync(header, cancel.Token);
        Assert.That(received.Count, Is.EqualTo(8), "an accepted viewer gets the jsmp header");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancel.Token);
        return socket.HttpStatusCode;
    }
}
