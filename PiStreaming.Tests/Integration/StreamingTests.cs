using System.Net.Sockets;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>Real server, real ffmpeg, real WebSocket clients on loopback.</summary>
internal class StreamingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Viewer_gets_the_header_then_video_that_ffmpeg_decodes_at_the_right_size([Values] LatencyMode latency)
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240, Latency = latency });
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);

        var messages = await viewer.ReceiveMessagesAsync(1 + 31, Patience);

        Assert.That(messages, Has.Count.EqualTo(32));
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))));
        var first = EncodedPicture.Parse(messages[1]);
        Assert.That((first.Type, first.HasSequenceHeader), Is.EqualTo((PictureType.I, true)), "a viewer starts at an I picture");

        var video = messages.Skip(1).ToList();
        if (latency == LatencyMode.Classic)
        {
            Assert.That(video.Select(PictureStartCodes), Is.All.EqualTo(new[] { "start" }), "one whole picture per message");
        }
        else
        {
            Assert.That(video[1], Is.EqualTo(PictureStartCode), "the first picture's start code follows it at once");
            Assert.That(video.Skip(1).Select(PictureStartCodes), Is.All.EqualTo(new[] { "end" }),
                "every later message is one picture followed by the next picture's start code");
        }

        var decoded = await FfmpegProbe.DecodeAsync(video.SelectMany(m => m).ToArray());
        var expectedFrames = latency == LatencyMode.Classic ? 31 : 30; // low: one message is only a start code
        Assert.That((decoded.Width, decoded.Height, decoded.Frames), Is.EqualTo((320, 240, expectedFrames)));
        Assert.That(decoded.Errors, Is.Empty);
    }

    private static readonly byte[] PictureStartCode = [0, 0, 1, 0];

    /// <summary>Where each picture start code in a message sits: "start" (after headers only), "end" (last 4 bytes) or "middle".</summary>
    private static string[] PictureStartCodes(byte[] message)
    {
        var found = new List<string>();
        for (var i = 0; i + 4 <= message.Length; i++)
        {
            if (message.AsSpan(i, 4).SequenceEqual(PictureStartCode))
            {
                found.Add(i == message.Length - 4 ? "end" : i == 0 || message.AsSpan(0, 4).SequenceEqual(new byte[] { 0, 0, 1, 0xB3 }) ? "start" : "middle");
            }
        }

        return [.. found];
    }

    [Test]
    public async Task Several_viewers_get_the_same_stream()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120 });
        var viewers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => WebSocketViewer.ConnectAsync(server.WebSocketUri)));
        try
        {
            var received = await Task.WhenAll(viewers.Select(v => v.ReceiveMessagesAsync(1 + 40, Patience)));

            // Viewers may start at different I pictures; from a common later picture on they must match byte for byte.
            var streams = received.Select(r => r.Skip(1).Select(Convert.ToBase64String).ToList()).ToList();
            var commonStart = streams[0].Skip(2).First(message => streams.All(s => s.Contains(message)));
            var aligned = streams.Select(s => s.Skip(s.IndexOf(commonStart)).Take(20).ToList()).ToList();
            Assert.That(aligned.Select(a => a.Count), Is.All.EqualTo(20));
            Assert.That(aligned, Is.All.EqualTo(aligned[0]));
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                viewer.Dispose();
            }
        }
    }

    [Test]
    public async Task A_viewer_that_stops_reading_does_not_stop_the_others()
    {
        // A big, noisy picture so that the stalled viewer's socket buffers fill quickly.
        // A long GiveUpAfter keeps the stalled one connected until the end.
        var slowViewers = new Fanout.SlowViewerPolicy { GiveUpAfter = TimeSpan.FromMinutes(1) };
        await using var server = await TestServer.StartAsync(
            new ServerOptions { Width = 640, Height = 480, BitrateKbps = 8000, FrameRate = 30, SlowViewers = slowViewers });

        // The stalled client: a raw TCP connection that completes the handshake and then never reads.
        using var stalled = new TcpClient();
        await stalled.ConnectAsync("127.0.0.1", server.Server.WebSocketPort);
        stalled.ReceiveBufferSize = 4096;
        var handshake = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stalled.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes(handshake));

        using var healthy = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        await healthy.ReceiveMessagesAsync(1 + 30, Patience); // let the stalled one fall well behind

        var started = DateTime.UtcNow;
        var later = await healthy.ReceiveMessagesAsync(60, Patience);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        Assert.That(later, Has.Count.EqualTo(60), "the healthy viewer kept receiving");
        Assert.That(seconds, Is.LessThan(6), "60 pictures at 30 fps should take about 2 s");
        Assert.That(server.Server.ViewerCount, Is.EqualTo(2));
    }

    [Test]
    public async Task Test_pattern_frame_stamps_survive_mpeg1_at_the_default_bitrate()
    {
        await using var server = await TestServer.StartAsync();
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);

        // In the default low-latency mode one message carries only a start code; 73 messages hold 72 pictures.
        var messages = await viewer.ReceiveMessagesAsync(1 + 73, Patience);
        var pictures = await FfmpegLuma.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray(), 640, 480);
        var stamps = pictures.Select(p => FrameStampReader.Read(p, new FrameFormat(640, 480))).ToList();

        Assert.That(pictures, Has.Count.EqualTo(72));
        Assert.That(stamps, Has.None.Null, "every picture's stamp reads back");
        var frames = stamps.Select(s => s!.Value.Frame).ToList();
        Assert.That(frames, Is.EqualTo(Enumerable.Range(frames[0], 72)), "consecutive frames, one per picture");
        var intervals = stamps.Zip(stamps.Skip(1), (a, b) => b!.Value.Time24 - a!.Value.Time24).ToList();
        TestContext.Out.WriteLine($"production intervals (ms): {string.Join(' ', intervals)}");
        // The median: the camera may stall while ffmpeg starts up.
        Assert.That(intervals.Order().ElementAt(intervals.Count / 2), Is.EqualTo(1000 / 24.0).Within(3), "produced 1/24 s apart");
    }
}
