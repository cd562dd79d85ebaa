using System.Net;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// A webcam that encodes H.264 itself (a fake: <see cref="FakeH264Webcam"/>), with the server as users run it:
/// its H.264 passed through to H.264 viewers when it is offered at the size asked, raw frames and the server's
/// encoder when it is not.
/// </summary>
internal class WebcamH264Tests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private const string H264Arguments = "-hide_banner -nostats -nostdin -loglevel warning -f v4l2 -input_format h264 -framerate 24 "
        + "-video_size 640x480 -i /dev/video5 -map 0:v:0 -c:v copy -f h264 -flush_packets 1 pipe:1";

    private static string Listing(string h264Sizes) => $"""
        [video4linux2,v4l2 @ 0x5581c3a0] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 1280x720
        [video4linux2,v4l2 @ 0x5581c3a0] Compressed:        h264 :                H.264 : {h264Sizes}
        [video4linux2,v4l2 @ 0x5581c3a0] Compressed:       mjpeg :          Motion-JPEG : 640x480 1280x720
        """;

    [Test]
    public async Task Webcam_offering_h264_at_the_size_asked_is_passed_through_to_h264_viewers_without_any_encoder()
    {
        using var webcam = await FakeH264Webcam.CreateAsync(new FrameFormat(640, 480), Listing("1280x720 640x480"), H264Arguments);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "v4l2:/dev/video5", "--codec", "h264"], webcam.Environment);
        var (httpPort, _) = await server.WaitUntilListeningAsync(Patience);
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{httpPort}/video.h264"));

        var messages = await viewer.ReceiveMessagesAsync(1 + 3 * FakeH264Webcam.IdrInterval, Patience);

        Assert.That(messages, Has.Count.EqualTo(1 + 3 * FakeH264Webcam.IdrInterval), server.StandardError);
        Assert.That(webcam.Starts, Is.EqualTo(new[] { H264Arguments }), "captured once, the webcam's H.264 copied");
        Assert.That(messages[0], Is.EqualTo(H264Probe.Header(640, 480)));
        var units = messages.Skip(1).ToList();
        var pictures = units.Select(u => H264AccessUnit.Parse(u)).ToList();
        Assert.That(pictures[0].IsJoinPoint, "starts at an IDR picture with SPS and PPS");
        Assert.That(pictures.Count(p => p.Type == PictureType.I), Is.GreaterThanOrEqualTo(2));
        Assert.That(pictures.Where(p => p.Type == PictureType.I), Is.All.Matches<EncodedPicture>(p => p.HasSequenceHeader),
            "the webcam sends SPS and PPS once; the server puts them before every IDR picture");
        var decoded = await H264Probe.DecodeAsync(units);
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Sizes, Has.Count.EqualTo(units.Count));
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (640, 480) }));

        // Nothing decoded or encoded: the webcam's capture is the server's only child, and no encoder runs anywhere below the server.
        Assert.That(server.ChildPids().Select(ServerProcess.CommandLineOf).ToList(), Has.Count.EqualTo(1).And.All.Contains("-input_format h264"));
        Assert.That(Descendants(server.Id).Select(ServerProcess.CommandLineOf), Has.None.Contains("libx264").And.None.Contains("mpeg1video"));
        Assert.That(server.StandardError, Does.Contain("webcam /dev/video5 offers H.264 at 640x480: passing it through"));
        Assert.That(server.StandardError, Does.Contain("H.264 from the webcam (its own bitrate)"));
        Assert.That(server.StandardError, Does.Contain($"webcam /dev/video5: an IDR picture every {FakeH264Webcam.IdrInterval} pictures"));

        // MPEG-1 is not offered (no raw frames for it); snapshots decode the webcam's H.264 on demand, from an IDR picture
        // the webcam sent without SPS and PPS.
        using var http = new HttpClient();
        Assert.That((await http.GetAsync($"http://127.0.0.1:{httpPort}/video")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var snapshot = await Eventually.ValueAsync(async () =>
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{httpPort}/snapshot.jpg");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync() : null;
        }, Patience, "a snapshot from the webcam's H.264");
        Assert.That(snapshot.AsSpan(0, 2).ToArray(), Is.EqualTo(new byte[] { 0xFF, 0xD8 }), "a JPEG");
    }

    [Test]
    public async Task Webcam_offering_h264_only_at_other_sizes_gives_raw_frames_to_the_servers_encoder()
    {
        using var webcam = await FakeH264Webcam.CreateAsync(new FrameFormat(640, 480), Listing("1920x1080 1280x720"), H264Arguments);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "v4l2:/dev/video5", "--codec", "h264"], webcam.Environment);
        var (httpPort, _) = await server.WaitUntilListeningAsync(Patience);
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{httpPort}/video.h264"));

        var messages = await viewer.ReceiveMessagesAsync(1 + 30, Patience);

        Assert.That(messages, Has.Count.EqualTo(31), server.StandardError);
        Assert.That(webcam.Starts, Has.Length.EqualTo(1).And.All.Contains("-f v4l2 -framerate 24 -video_size 640x480 -i /dev/video5")
            .And.None.Contains("-input_format"));
        Assert.That(server.StandardError, Does.Contain("webcam /dev/video5 offers H.264 at 1920x1080, 1280x720, not at 640x480; reading raw frames"));
        server.ChildWhoseCommandLineContains("libx264");
        var decoded = await H264Probe.DecodeAsync(messages.Skip(1));
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (640, 480) }));
    }

    private static IEnumerable<int> Descendants(int pid) =>
        ServerProcess.ChildrenOf(pid).SelectMany(child => Descendants(child).Prepend(child));
}
