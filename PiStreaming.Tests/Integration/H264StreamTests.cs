using PiStreaming.Fanout;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// The H.264 WebSocket (/video.h264) with the real server and real ffmpeg: every viewer starts at an IDR
/// picture with SPS and PPS, and what it received decodes into every picture at the right size, without
/// errors: a late joiner, a viewer that skipped ahead, a viewer across an encoder restart.
/// </summary>
internal class H264StreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static Uri H264Uri(TestServer server) => new($"ws://127.0.0.1:{server.Server.HttpPort}/video.h264");

    [Test]
    public async Task A_late_joiner_starts_at_the_cached_IDR_picture_and_every_picture_decodes_at_the_right_size()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240 });
        using var early = await WebSocketViewer.ConnectAsync(H264Uri(server));
        // Past the first IDR picture and a few pictures into the group after it.
        var seen = await early.ReceiveMessagesAsync(1 + 30, Patience);
        Assert.That(seen, Has.Count.EqualTo(31));
        Assert.That(seen[0], Is.EqualTo(H264Probe.Header(320, 240)), "the header first: h264, width, height");

        using var late = await WebSocketViewer.ConnectAsync(H264Uri(server));
        var messages = await late.ReceiveMessagesAsync(1 + 60, Patience);
        var earlyAfter = await early.ReceiveMessagesAsync(60, Patience);

        Assert.That(messages, Has.Count.EqualTo(61));
        Assert.That(messages[0], Is.EqualTo(H264Probe.Header(320, 240)));
        var units = messages.Skip(1).ToList();
        var first = H264AccessUnit.Parse(units[0]);
        Assert.That((first.Type, first.HasSequenceHeader), Is.EqualTo((PictureType.I, true)), "starts at an IDR picture with SPS and PPS");
        Assert.That(seen.Skip(1).Concat(earlyAfter).Select(Convert.ToBase64String), Does.Contain(Convert.ToBase64String(units[0])),
            "its first picture is one the encoder made before or as it joined (the join cache), byte for byte");
        Assert.That(units.Select(u => H264AccessUnit.Parse(u).Type), Is.All.AnyOf(PictureType.I, PictureType.P), "one picture per message");
        var idrs = units.Select((u, i) => (H264AccessUnit.Parse(u), i)).Where(p => p.Item1.Type == PictureType.I).Select(p => p.i).ToList();
        Assert.That(idrs.Zip(idrs.Skip(1)).Select(p => p.Second - p.First), Is.All.EqualTo(24), "an IDR picture every second (24 pictures)");

        var decoded = await H264Probe.DecodeAsync(units);
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Sizes, Has.Count.EqualTo(units.Count), "every picture decodes");
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (320, 240) }));
    }

    [Test]
    public async Task A_viewer_that_stops_reading_skips_to_the_next_IDR_picture_and_what_it_gets_decodes_cleanly()
    {
        // A heavy stream, so the stalled viewer's socket buffers fill within a couple of seconds.
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Width = 640,
            Height = 480,
            FrameRate = 30,
            H264BitrateKbps = 8000,
            Codec = VideoCodecs.H264,
            SlowViewers = new SlowViewerPolicy { MaxBacklog = TimeSpan.FromSeconds(1), GiveUpAfter = TimeSpan.FromMinutes(1) },
        });
        using var stalled = await StalledViewer.ConnectAsync("127.0.0.1", server.Server.HttpPort, path: "/video.h264");

        await Eventually.HoldsAsync(() => server.Server.SkippedPictures > 0, Patience, "the server skipped pictures for the stalled viewer");
        var received = await stalled.ResumeAsync(TimeSpan.FromSeconds(3));

        Assert.That(received.ConnectionEnded, Is.False, "it reads again, so it is not given up on");
        var units = received.Messages.Skip(1).ToList();
        var types = units.Select(u => H264AccessUnit.Parse(u)).ToList();
        Assert.That(types[0].IsJoinPoint, "it started at a join point");
        var decoded = await H264Probe.DecodeAsync(units);
        TestContext.Out.WriteLine($"{units.Count} pictures received, {server.Server.SkippedPictures} skipped; {decoded.Sizes.Count} decoded");
        Assert.That(units.Count, Is.LessThan(30 * 6), "pictures were skipped for it");
        Assert.That(decoded.Errors, Is.Empty, "no picture whose reference was skipped");
        Assert.That(decoded.Sizes, Has.Count.EqualTo(units.Count));
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (640, 480) }));
    }

    [Test]
    public async Task Mpeg1_only_and_h264_only_servers_offer_just_their_stream()
    {
        await using var mpeg1 = await TestServer.StartAsync(new ServerOptions { Codec = VideoCodecs.Mpeg1 });
        await using var h264 = await TestServer.StartAsync(new ServerOptions { Codec = VideoCodecs.H264 });
        using var http = new HttpClient();

        Assert.That((int)(await http.GetAsync(new Uri(mpeg1.HttpUri, "video.h264"))).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await http.GetAsync(new Uri(mpeg1.HttpUri, "video"))).StatusCode, Is.EqualTo(426), "MPEG-1 is there");
        Assert.That((int)(await http.GetAsync(new Uri(h264.HttpUri, "video"))).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await http.GetAsync(new Uri(h264.HttpUri, "video.h264"))).StatusCode, Is.EqualTo(426), "H.264 is there");
        Assert.That(await http.GetStringAsync(new Uri(h264.HttpUri, "index.html")), Does.Contain("var offered = 'h264'.split"));
        Assert.That(await http.GetStringAsync(new Uri(mpeg1.HttpUri, "index.html")), Does.Contain("var offered = 'mpeg1'.split"));

        // The H.264 stream also plays in media players, from an IDR picture on.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(h264.HttpUri, "stream.h264"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("video/h264"));
        await using var body = await response.Content.ReadAsStreamAsync();
        var start = new byte[4096];
        await body.ReadExactlyAsync(start);
        Assert.That(H264AccessUnit.Parse(start).Type, Is.EqualTo(PictureType.I), "a player starts at an IDR picture");
        Assert.That(H264AccessUnit.NalTypes(start).Take(3), Is.EqualTo(new[] { H264AccessUnit.AccessUnitDelimiter, H264AccessUnit.SequenceParameterSet,
            H264AccessUnit.PictureParameterSet }));
    }
}
