using System.Net;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// A relay passing on its origin's H.264 stream (/video.h264) beside MPEG-1, or alone, or not at all, as the
/// origin offers it: real origin servers, real sockets, what the relay's viewers get decoded by real ffmpeg.
/// </summary>
internal class RelayH264Tests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task A_relay_of_an_origin_with_both_codecs_passes_its_H264_access_units_on_unchanged_and_they_decode_into_every_picture()
    {
        await using var origin = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240, Codec = VideoCodecs.Both });
        await using var relay = await TestServer.StartRelayAsync(new Uri(origin.HttpUri, "video").ToWebSocket());
        using var atOrigin = await WebSocketViewer.ConnectAsync(new Uri(origin.HttpUri, "video.h264").ToWebSocket());
        using var atRelay = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video.h264").ToWebSocket());
        using var mpeg1AtRelay = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video").ToWebSocket());

        var received = await Task.WhenAll(atOrigin.ReceiveMessagesAsync(1 + 45, Patience), atRelay.ReceiveMessagesAsync(1 + 40, Patience),
            mpeg1AtRelay.ReceiveMessagesAsync(1 + 5, Patience));

        var relayed = received[1];
        Assert.That(relayed, Has.Count.EqualTo(41));
        Assert.That(relayed[0], Is.EqualTo(H264Probe.Header(320, 240)), "the relay announces the origin's size in the h264 header");
        var units = relayed.Skip(1).ToList();
        var first = H264AccessUnit.Parse(units[0]);
        Assert.That((first.Type, first.HasSequenceHeader), Is.EqualTo((PictureType.I, true)), "a relay's viewer starts at an IDR picture with SPS and PPS");
        var fromOrigin = received[0].Skip(1).Select(Convert.ToBase64String).ToList();
        var common = units.Select(Convert.ToBase64String).Skip(2).First(fromOrigin.Contains);
        var at = units.Select(Convert.ToBase64String).ToList().IndexOf(common);
        Assert.That(units.Skip(at).Take(15).Select(Convert.ToBase64String), Is.EqualTo(fromOrigin.Skip(fromOrigin.IndexOf(common)).Take(15)),
            "nothing re-encoded: the origin's access units, one per message");

        var decoded = await H264Probe.DecodeAsync(units);
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Sizes, Has.Count.EqualTo(units.Count), "every picture decodes");
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (320, 240) }));
        Assert.That(received[2][0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))), "and MPEG-1 beside it");

        using var http = new HttpClient { Timeout = Patience };
        Assert.That(await http.GetStringAsync(relay.HttpUri), Does.Contain("var offered = 'mpeg1 h264'"), "the page plays either");
    }

    [Test]
    public async Task A_relay_of_an_MPEG1_only_origin_offers_no_H264()
    {
        await using var origin = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240, Codec = VideoCodecs.Mpeg1 });
        await using var relay = await TestServer.StartRelayAsync(new Uri(origin.HttpUri, "video").ToWebSocket());
        using var http = new HttpClient { Timeout = Patience };

        using var h264 = await http.GetAsync(new Uri(relay.HttpUri, "video.h264"));
        using var mediaPlayers = await http.GetAsync(new Uri(relay.HttpUri, "stream.h264"), HttpCompletionOption.ResponseHeadersRead);
        Assert.That((h264.StatusCode, mediaPlayers.StatusCode), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound)));
        Assert.That(await http.GetStringAsync(relay.HttpUri), Does.Contain("var offered = 'mpeg1'"), "the page plays MPEG-1");
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video").ToWebSocket());
        Assert.That((await viewer.ReceiveMessagesAsync(1 + 5, Patience))[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))));

        // Through the origin's video port, whose every path is MPEG-1 when it has no H.264.
        await using var viaVideoPort = await TestServer.StartRelayAsync(origin.WebSocketUri);
        using var again = await http.GetAsync(new Uri(viaVideoPort.HttpUri, "video.h264"));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        // RTMP carries H.264 only: a relay of this origin cannot publish it, and says so at start.
        using var publishing = ServerProcess.Start([.. ServerProcess.Loopback, "--source", $"relay:ws://127.0.0.1:{origin.Server.HttpPort}/video",
            "--publish", "rtmp://127.0.0.1:1/live/camera"]);
        Assert.That(await publishing.WaitForExitAsync(Patience), Is.EqualTo(2));
        Assert.That(publishing.StandardError, Does.StartWith("error: --publish rtmp://127.0.0.1:1: RTMP (FLV) carries H.264 only, and the origin"));
    }

    [Test]
    public async Task A_relay_of_an_H264_only_origin_serves_H264_and_decodes_it_for_snapshots()
    {
        await using var origin = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240, FrameRate = 25, Codec = VideoCodecs.H264 });
        await using var relay = await TestServer.StartRelayAsync(new Uri(origin.HttpUri, "video").ToWebSocket());
        using var http = new HttpClient { Timeout = Patience };
        using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(relay.HttpUri, "status")));
        Assert.That(status.RootElement.GetProperty("stream").GetProperty("frameRate").GetDouble(), Is.EqualTo(25), "the rate the origin's SPS states");

        using var mpeg1 = await http.GetAsync(new Uri(relay.HttpUri, "video"));
        Assert.That(mpeg1.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no MPEG-1 where the origin has none");
        Assert.That(await http.GetStringAsync(relay.HttpUri), Does.Contain("var offered = 'h264'"));
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri(relay.HttpUri, "video.h264").ToWebSocket());
        var messages = await viewer.ReceiveMessagesAsync(1 + 30, Patience);
        Assert.That(messages[0], Is.EqualTo(H264Probe.Header(320, 240)));
        var decoded = await H264Probe.DecodeAsync(messages.Skip(1));
        Assert.That((decoded.Errors, decoded.Sizes.Count, decoded.Sizes.Distinct().Single()), Is.EqualTo(("", 30, (320, 240))));

        // Media players get the same access units over plain HTTP.
        using var stream = await http.GetStreamAsync(new Uri(relay.HttpUri, "stream.h264"));
        var bytes = new byte[20_000];
        await stream.ReadExactlyAsync(bytes).AsTask().WaitAsync(Patience);
        Assert.That(H264AccessUnit.Parse(bytes).Type, Is.EqualTo(PictureType.I), "/stream.h264 starts at an IDR picture");

        var snapshot = await Eventually.ValueAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri(relay.HttpUri, "snapshot.jpg"));
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync() : null;
        }, Patience, "a snapshot decoded from the relayed H.264");
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(file, snapshot);
        try
        {
            var (probe, errors, _) = await FfmpegProbe.RunBinaryAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
                "-f", "image2pipe", "-i", file);
            Assert.That(System.Text.Encoding.UTF8.GetString(probe).Trim(), Is.EqualTo("mjpeg,320,240"), errors);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
