using System.Diagnostics;
using System.Net;
using PiStreaming.Core;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>The other ways to watch the same camera: MJPEG, snapshots and the stream for media players, against the real server and ffmpeg.</summary>
public class OutputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly FrameFormat Format = new(320, 240);
    private static readonly ServerOptions Small = new() { Width = Format.Width, Height = Format.Height, EncoderLinger = TimeSpan.FromSeconds(1) };

    [Test]
    public async Task Mjpeg_stream_is_multipart_jpeg_of_the_stream_size_whose_frame_stamps_advance()
    {
        await using var server = await TestServer.StartAsync(Small);
        using var http = new HttpClient();

        var (response, body) = await MjpegClient.ReceiveAsync(http, new Uri(server.HttpUri, "stream.mjpg"), TimeSpan.FromSeconds(2));
        var parts = MjpegClient.Parts(body, MjpegEndpoint.Boundary);
        var stamps = new List<int>();
        foreach (var part in parts)
        {
            stamps.Add(FrameStampReader.Read(await MjpegClient.LumaAsync(part, Format.Width, Format.Height), Format)?.Frame ?? -1);
        }

        TestContext.Out.WriteLine($"{parts.Count} JPEGs in 2 s, frames {string.Join(' ', stamps)}");
        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("multipart/x-mixed-replace; boundary=FRAME"));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(parts, Has.Count.GreaterThanOrEqualTo(30), "about the camera rate (24 fps) once the encoder has started");
        Assert.That(stamps, Has.None.EqualTo(-1), "every picture's frame stamp reads back");
        Assert.That(stamps, Is.Ordered.Ascending.And.Unique, "the pictures advance");
        Assert.That(stamps[^1] - stamps[0], Is.LessThan(parts.Count * 5 / 4 + 3), "with few frames left out (the JPEG encoder drops frames only when it falls behind)");
    }

    [Test]
    public async Task Mjpeg_fps_limits_the_rate_and_bad_values_get_400()
    {
        await using var server = await TestServer.StartAsync(Small);
        using var http = new HttpClient();

        var (_, body) = await MjpegClient.ReceiveAsync(http, new Uri(server.HttpUri, "stream.mjpg?fps=4"), TimeSpan.FromSeconds(2.5));
        var count = MjpegClient.Parts(body, MjpegEndpoint.Boundary).Count;

        Assert.That(count, Is.InRange(6, 11), "at most 4 a second (the first may wait for the encoder)");
        foreach (var bad in new[] { "0", "61", "abc", "1e400", "" })
        {
            using var refused = await http.GetAsync(new Uri(server.HttpUri, $"stream.mjpg?fps={bad}"));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"fps={bad}");
        }
    }

    [Test]
    public async Task Snapshot_is_a_jpeg_within_two_frames_of_the_live_stream_and_fast_once_the_encoder_runs()
    {
        await using var server = await TestServer.StartAsync(Small with { EncoderLinger = TimeSpan.FromSeconds(10) });
        using var http = new HttpClient();
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        var watching = viewer.ReceiveForAsync(TimeSpan.FromSeconds(4));
        var watchClock = Stopwatch.StartNew(); // started with the viewer's own clock, give or take a few microseconds
        using (var first = await http.GetAsync(new Uri(server.HttpUri, "snapshot.jpg")))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the first one starts the JPEG encoder");
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // a second of live video to compare with
        var asked = watchClock.Elapsed;
        using var response = await http.GetAsync(new Uri(server.HttpUri, "snapshot.jpg"));
        var answered = watchClock.Elapsed;
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        var live = (await watching).Where(m => m.At <= answered).ToList(); // what the video viewer had when the snapshot came

        var snapshotFrame = FrameStampReader.Read(await MjpegClient.LumaAsync(jpeg, Format.Width, Format.Height), Format)?.Frame;
        var decoded = await FfmpegLuma.DecodeAsync(live.Skip(1).SelectMany(m => m.Data).ToArray(), Format.Width, Format.Height);
        var liveFrame = decoded.Select(luma => FrameStampReader.Read(luma, Format)?.Frame).OfType<int>().Last();
        var answeredAfter = answered - asked;
        TestContext.Out.WriteLine($"snapshot of frame {snapshotFrame} answered in {answeredAfter.TotalMilliseconds:0} ms; the video viewer's newest frame then: {liveFrame}");

        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("image/jpeg"));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(jpeg.AsSpan(0, 2).SequenceEqual(new byte[] { 0xFF, 0xD8 }), "a JPEG");
        Assert.That(snapshotFrame, Is.Not.Null, "its frame stamp reads back");
        Assert.That(snapshotFrame!.Value, Is.InRange(liveFrame - 2, liveFrame + 2), "within two frames of the live stream");
        Assert.That(answeredAfter, Is.LessThan(TimeSpan.FromMilliseconds(500)), "answered at once (goal 50 ms; slack for a busy machine)");
    }

    [Test]
    public async Task Snapshot_while_the_camera_is_down_is_503_with_retry_after()
    {
        await using var server = await TestServer.StartAsync(Small, new SilentSource());
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(server.HttpUri, "snapshot.jpg"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(ChildProcesses.CountWith("mjpeg"), Is.Zero, "no encoder started for nothing");
    }

    [Test]
    public async Task Media_player_stream_plays_from_its_first_byte_and_a_late_player_starts_at_an_I_picture()
    {
        await using var server = await TestServer.StartAsync(Small);
        using var http = new HttpClient();

        var first = MjpegClient.ReceiveAsync(http, new Uri(server.HttpUri, "stream.mpg"), TimeSpan.FromSeconds(3));
        await Task.Delay(TimeSpan.FromSeconds(1.3)); // somewhere inside a GOP (12 pictures, 0.5 s)
        var (lateResponse, late) = await MjpegClient.ReceiveAsync(http, new Uri(server.HttpUri, "stream.mpg"), TimeSpan.FromSeconds(1));
        var (response, stream) = await first;

        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("video/mpeg"));
        foreach (var received in new[] { stream, late })
        {
            Assert.That(received.AsSpan(0, 4).SequenceEqual(new byte[] { 0, 0, 1, 0xB3 }), "starts with a sequence header");
            var whole = received[..received.AsSpan().LastIndexOf(new byte[] { 0, 0, 1, 0 })]; // the last picture may be cut off
            var decoded = await FfmpegProbe.DecodeAsync(whole);
            Assert.That((decoded.Width, decoded.Height), Is.EqualTo((Format.Width, Format.Height)));
            Assert.That(decoded.Errors, Is.Empty, "decodes from its first byte without errors");
            Assert.That(decoded.Frames, Is.GreaterThan(10));
        }

        Assert.That(ReceivedPictures.DescribeAll([late]), Is.Not.Empty);
        Assert.That(EncodedPicture.Parse(late).Type, Is.EqualTo(PictureType.I), "the late player's first picture");
        Assert.That(lateResponse.Headers.CacheControl?.NoStore, Is.True);
    }

    [Test]
    public async Task Jpeg_encoder_runs_only_while_someone_watches()
    {
        await using var server = await TestServer.StartAsync(Small);
        using var http = new HttpClient();
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.That(ChildProcesses.CountWith("mjpeg"), Is.Zero, "nobody watches yet");

        var watching = MjpegClient.ReceiveAsync(http, new Uri(server.HttpUri, "stream.mjpg"), TimeSpan.FromSeconds(2));
        await Eventually.HoldsAsync(() => ChildProcesses.CountWith("mjpeg") == 1, Patience, "the first viewer starts it");
        await watching;
        var left = Stopwatch.StartNew();
        await Eventually.HoldsAsync(() => ChildProcesses.CountWith("mjpeg") == 0, Patience, "it stops after the last viewer");
        TestContext.Out.WriteLine($"JPEG encoder stopped {left.ElapsedMilliseconds} ms after its last viewer (linger 1 s)");
        Assert.That(left.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(0.8)), "not before its linger");

        using (var snapshot = await http.GetAsync(new Uri(server.HttpUri, "snapshot.jpg")))
        {
            Assert.That(snapshot.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(ChildProcesses.CountWith("mjpeg"), Is.EqualTo(1), "a snapshot starts it too");
        await Eventually.HoldsAsync(() => ChildProcesses.CountWith("mjpeg") == 0, Patience, "and it stops again");
        Assert.That(ChildProcesses.CountWith("mpeg1video"), Is.EqualTo(1), "the MPEG-1 encoder runs throughout");
    }

    [Test]
    public async Task A_stalled_mjpeg_client_and_a_stuck_jpeg_encoder_do_not_lower_the_video_viewers_rate()
    {
        var ffmpeg = await StuckJpegFfmpeg.CreateAsync();
        try
        {
            await using var server = await TestServer.StartAsync(Small, ffmpegPath: ffmpeg);
            using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
            Assert.That(await viewer.ReceiveMessagesAsync(3, Patience), Has.Count.EqualTo(3));

            // A client that asks for the MJPEG stream and never reads it: with the JPEG encoder stuck too.
            using var stalled = await RawConnection.ConnectAsync(server.Server.HttpPort);
            await stalled.SendAsync(System.Text.Encoding.ASCII.GetBytes("GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n"));
            await Eventually.HoldsAsync(() => ChildProcesses.CountWith("mjpeg") == 1, Patience, "the JPEG encoder was started");
            var droppedBefore = server.Server.DroppedFrames;
            var messages = await viewer.ReceiveForAsync(TimeSpan.FromSeconds(4));

            var pictures = ReceivedPictures.DescribeAll(messages.Select(m => m.Data));
            TestContext.Out.WriteLine($"video viewer: {pictures.Count} pictures in 4 s beside a stalled MJPEG client and a stuck JPEG encoder");
            Assert.That(pictures, Has.Count.GreaterThanOrEqualTo(4 * 24 * 9 / 10), "full rate");
            Assert.That(ReceivedPictures.Gaps(pictures), Is.Empty, "no picture missed");
            Assert.That(server.Server.DroppedFrames - droppedBefore, Is.Zero, "the MPEG-1 encoder lost no frame to the stuck one");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(ffmpeg)!, recursive: true);
        }
    }

    [TestCase("HEAD", "/stream.mjpg", HttpStatusCode.OK, "multipart/x-mixed-replace; boundary=FRAME")]
    [TestCase("HEAD", "/stream.mpg", HttpStatusCode.OK, "video/mpeg")]
    [TestCase("HEAD", "/snapshot.jpg", HttpStatusCode.OK, "image/jpeg")]
    [TestCase("POST", "/snapshot.jpg", HttpStatusCode.MethodNotAllowed, null)]
    [TestCase("DELETE", "/stream.mjpg", HttpStatusCode.MethodNotAllowed, null)]
    [TestCase("PUT", "/stream.mpg", HttpStatusCode.MethodNotAllowed, null)]
    [TestCase("GET", "/stream.mjpeg", HttpStatusCode.NotFound, null)]
    [TestCase("GET", "/snapshot.png", HttpStatusCode.NotFound, null)]
    public async Task Methods_and_paths_of_the_new_routes(string method, string path, HttpStatusCode status, string? contentType)
    {
        await using var server = await TestServer.StartAsync(Small);
        using var http = new HttpClient { BaseAddress = server.HttpUri, Timeout = Patience };
        await Eventually.HoldsAsync(() => ServerHasFrames(server), Patience, "the camera runs");

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(status));
        if (contentType is not null)
        {
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo(contentType));
        }

        if (path != "/snapshot.jpg")
        {
            Assert.That(ChildProcesses.CountWith("mjpeg"), Is.Zero, "asking for headers starts no encoder");
        }
    }

    private static bool ServerHasFrames(TestServer server) => server.Server.ViewerCount >= 0 && ChildProcesses.CountWith("mpeg1video") == 1;
}
