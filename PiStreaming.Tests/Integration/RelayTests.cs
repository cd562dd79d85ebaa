using System.Net.WebSockets;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>A relay (--source relay:URL) in front of a real origin server: real sockets, real ffmpeg.</summary>
internal class RelayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [TestCase("video WebSocket")]
    [TestCase("stream.mpg")]
    public async Task A_relay_passes_the_origins_pictures_on_byte_for_byte(string via)
    {
        await using var origin = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240 });
        var address = via == "stream.mpg" ? new Uri(origin.HttpUri, "stream.mpg") : new Uri(origin.HttpUri, "video").ToWebSocket();
        await using var relay = await TestServer.StartRelayAsync(address);
        using var atOrigin = await WebSocketViewer.ConnectAsync(origin.WebSocketUri);
        using var atRelay = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video").ToWebSocket());

        var received = await Task.WhenAll(atOrigin.ReceiveMessagesAsync(1 + 60, Patience), atRelay.ReceiveMessagesAsync(1 + 50, Patience));

        var relayed = received[1];
        Assert.That(relayed, Has.Count.EqualTo(51));
        Assert.That(relayed[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))), "the relay announces the origin's size");
        var first = EncodedPicture.Parse(relayed[1]);
        Assert.That(first.IsJoinPoint, Is.True, "a relay's viewer starts at an I picture with its sequence header");

        // Once both are past their first pictures, the relay's viewer gets the very messages the origin's viewer gets.
        var fromOrigin = received[0].Skip(1).Select(Convert.ToBase64String).ToList();
        var fromRelay = relayed.Skip(3).Select(Convert.ToBase64String).ToList();
        var common = fromRelay.First(fromOrigin.Contains);
        var aligned = fromRelay.Skip(fromRelay.IndexOf(common)).Take(25).ToList();
        Assert.That(aligned, Has.Count.EqualTo(25));
        Assert.That(aligned, Is.EqualTo(fromOrigin.Skip(fromOrigin.IndexOf(common)).Take(25).ToList()), "nothing re-encoded");

        var decoded = await FfmpegProbe.DecodeAsync(relayed.Skip(1).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Frames, decoded.Errors), Is.EqualTo((320, 240, 49, "")));
    }

    [Test]
    public async Task A_relay_of_a_relay_serves_media_players_and_snapshots()
    {
        await using var origin = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240 });
        await using var relay = await TestServer.StartRelayAsync(new Uri(origin.HttpUri, "video").ToWebSocket());
        await using var second = await TestServer.StartRelayAsync(new Uri(relay.HttpUri, "stream.mpg"));
        using var http = new HttpClient { Timeout = Patience };

        using var snapshot = await http.GetAsync(new Uri(second.HttpUri, "snapshot.jpg"));
        Assert.That((snapshot.StatusCode, snapshot.Content.Headers.ContentType?.MediaType), Is.EqualTo((System.Net.HttpStatusCode.OK, "image/jpeg")));
        var jpeg = await snapshot.Content.ReadAsByteArrayAsync();
        var (probe, errors, _) = await FfmpegProbe.RunBinaryAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
            "-f", "image2pipe", "-i", WriteTemporary(jpeg));
        Assert.That(System.Text.Encoding.UTF8.GetString(probe).Trim(), Is.EqualTo("mjpeg,320,240"), errors);

        using var stream = await http.GetStreamAsync(new Uri(second.HttpUri, "stream.mpg"));
        var bytes = await ReadAtLeastAsync(stream, 60_000);
        var decoded = await FfmpegProbe.DecodeAsync(bytes);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((320, 240)));
        Assert.That(decoded.Frames, Is.GreaterThan(5));
    }

    [Test]
    public async Task A_relay_keeps_its_viewers_while_the_origin_restarts()
    {
        var ports = FreePorts.Pick(2);
        string[] originArguments = ["--bind", "127.0.0.1", "--http-port", $"{ports[0]}", "--ws-port", $"{ports[1]}", "--width", "320", "--height", "240"];
        var firstOrigin = ServerProcess.Start(originArguments);
        await firstOrigin.WaitUntilListeningAsync(Patience);
        await using var relay = await TestServer.StartRelayAsync(new Uri($"ws://127.0.0.1:{ports[0]}/video"));
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video").ToWebSocket());
        using var h264Viewer = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video.h264").ToWebSocket());
        var before = await viewer.ReceiveMessagesAsync(1 + 10, Patience);
        var h264Before = await h264Viewer.ReceiveMessagesAsync(1 + 10, Patience);
        Assert.That((before.Count, h264Before.Count), Is.EqualTo((11, 11)));

        firstOrigin.Signal(ServerProcess.SIGTERM);
        Assert.That(await firstOrigin.WaitForExitAsync(Patience), Is.Zero);
        firstOrigin.Dispose();
        Assert.That(relay.Server.ViewerCount, Is.EqualTo(2), "the relay keeps its MPEG-1 and H.264 viewers while the origin is gone");

        using var secondOrigin = ServerProcess.Start(originArguments);
        await secondOrigin.WaitUntilListeningAsync(Patience);
        var after = await viewer.ReceiveMessagesAsync(30, Patience);
        var h264After = await h264Viewer.ReceiveMessagesAsync(30, Patience);

        Assert.That((after.Count, h264After.Count), Is.EqualTo((30, 30)), "pictures again once the origin is back");
        Assert.That((viewer.State, h264Viewer.State), Is.EqualTo((WebSocketState.Open, WebSocketState.Open)));
        var decoded = await FfmpegProbe.DecodeAsync(before.Skip(1).Concat(after).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Errors), Is.EqualTo((320, 240, "")), "the stream goes on across the restart");
        Assert.That(decoded.Frames, Is.EqualTo(before.Count - 2 + after.Count), "every picture before and after decodes (low latency: one message is only a start code)");
        var units = h264Before.Skip(1).Concat(h264After).ToList();
        var decodedUnits = await H264Probe.DecodeAsync(units);
        Assert.That((decodedUnits.Errors, decodedUnits.Sizes.Count), Is.EqualTo(("", units.Count)), "H.264 too: every access unit before and after decodes");
        Assert.That(decodedUnits.Sizes.Distinct(), Is.EqualTo(new[] { (320, 240) }));
    }

    [Test]
    public async Task When_the_origin_comes_back_with_another_size_viewers_reconnect_for_it()
    {
        var ports = FreePorts.Pick(2);
        string[] originArguments = ["--bind", "127.0.0.1", "--http-port", $"{ports[0]}", "--ws-port", $"{ports[1]}"];
        var firstOrigin = ServerProcess.Start([.. originArguments, "--width", "320", "--height", "240"]);
        await firstOrigin.WaitUntilListeningAsync(Patience);
        await using var relay = await TestServer.StartRelayAsync(new Uri($"ws://127.0.0.1:{ports[0]}/video"));
        var relayVideo = new Uri(relay.HttpUri, "video").ToWebSocket();
        var relayH264 = new Uri(relay.HttpUri, "video.h264").ToWebSocket();
        using var viewer = await WebSocketViewer.ConnectAsync(relayVideo);
        using var h264Viewer = await WebSocketViewer.ConnectAsync(relayH264);
        Assert.That(await viewer.ReceiveMessagesAsync(3, Patience), Has.Count.EqualTo(3));
        Assert.That(await h264Viewer.ReceiveMessagesAsync(3, Patience), Has.Count.EqualTo(3));

        firstOrigin.Signal(ServerProcess.SIGTERM);
        await firstOrigin.WaitForExitAsync(Patience);
        firstOrigin.Dispose();
        using var secondOrigin = ServerProcess.Start([.. originArguments, "--width", "256", "--height", "144"]);
        await secondOrigin.WaitUntilListeningAsync(Patience);

        using var wait = new CancellationTokenSource(Patience);
        while (await viewer.ReceiveMessageAsync(wait.Token) is not null)
        {
        }

        while (await h264Viewer.ReceiveMessageAsync(wait.Token) is not null)
        {
        }

        Assert.That(viewer.CloseStatus, Is.EqualTo((WebSocketCloseStatus)1012), "service restart: the page reconnects by itself");
        Assert.That(h264Viewer.CloseStatus, Is.EqualTo((WebSocketCloseStatus)1012), "the H.264 viewers too");
        using var h264Again = await WebSocketViewer.ConnectAsync(relayH264);
        var units = await h264Again.ReceiveMessagesAsync(1 + 10, Patience);
        Assert.That(units[0], Is.EqualTo(H264Probe.Header(256, 144)));
        var decodedUnits = await H264Probe.DecodeAsync(units.Skip(1));
        Assert.That((decodedUnits.Errors, decodedUnits.Sizes.Distinct().Single()), Is.EqualTo(("", (256, 144))));
        using var again = await WebSocketViewer.ConnectAsync(relayVideo);
        var messages = await again.ReceiveMessagesAsync(1 + 20, Patience);
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(256, 144))));
        var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Errors), Is.EqualTo((256, 144, "")));
        using var http = new HttpClient();
        Assert.That(await http.GetStringAsync(relay.HttpUri), Does.Contain("width=\"256\" height=\"144\""), "the page has the new size");
    }

    [Test]
    public async Task A_relay_whose_origin_is_down_at_start_waits_for_it_and_bad_addresses_are_usage_errors()
    {
        var ports = FreePorts.Pick(3);
        using var relay = ServerProcess.Start([.. ServerProcess.Loopback, "--source", $"relay:ws://127.0.0.1:{ports[0]}/video"]);
        await relay.WaitForLogAsync("cannot relay yet", Patience);
        using var origin = ServerProcess.Start(["--bind", "127.0.0.1", "--http-port", $"{ports[0]}", "--ws-port", $"{ports[1]}"]);
        await origin.WaitUntilListeningAsync(Patience);
        var (_, relayWs) = await relay.WaitUntilListeningAsync(Patience);
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{relayWs}/"));
        Assert.That(await viewer.ReceiveMessagesAsync(5, Patience), Has.Count.EqualTo(5));

        using var bad = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "relay:camera.local:8082"]);
        Assert.That(await bad.WaitForExitAsync(Patience), Is.EqualTo(2));
        Assert.That(bad.StandardError, Does.StartWith("error: --source must be relay takes another PiStreaming's video address"));
    }

    [TestCase("token")]
    [TestCase("user and password")]
    public async Task A_relay_of_a_private_camera_passes_its_credentials(string credentials)
    {
        using var camera = PrivateCamera.Create();
        await using var origin = await TestServer.StartAsync(camera.Options(new ServerOptions { Width = 320, Height = 240 }));
        var video = new Uri($"ws://127.0.0.1:{origin.Server.HttpPort}/video");
        Assert.That(() => TestServer.StartRelayAsync(video), Throws.InstanceOf<Relay.OriginUnavailableException>().With.Message.Contains("401"),
            "without credentials the origin refuses");
        var withCredentials = credentials == "token"
            ? new Uri(video, "?token=" + camera.Token)
            : new UriBuilder(video) { UserName = PrivateCamera.User, Password = Uri.EscapeDataString(PrivateCamera.Password) }.Uri;

        await using var relay = await TestServer.StartRelayAsync(withCredentials);
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video").ToWebSocket());

        var messages = await viewer.ReceiveMessagesAsync(1 + 20, Patience);
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))));
        using var h264Viewer = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video.h264").ToWebSocket());
        var units = await h264Viewer.ReceiveMessagesAsync(1 + 5, Patience);
        Assert.That(units[0], Is.EqualTo(H264Probe.Header(320, 240)), "the H.264 stream with the same credentials");
        Assert.That(Relay.OriginStream.Redact(withCredentials), Is.EqualTo(video.ToString()), "the log shows no secret");
    }

    private static string WriteTemporary(byte[] bytes)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private static async Task<byte[]> ReadAtLeastAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Patience);
        return buffer;
    }
}

internal static class UriExtensions
{
    /// <summary>The same address with ws:// instead of http://.</summary>
    public static Uri ToWebSocket(this Uri http) => new UriBuilder(http) { Scheme = "ws" }.Uri;
}
