using System.Net;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// H.264 end to end with the server as users run it (a separate process): the camera's own H.264 passed
/// through (a fake rpicam-vid), and viewers across a restart of the H.264 encoder.
/// </summary>
internal class H264SourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static async Task<WebSocketViewer> ConnectH264Async(ServerProcess server)
    {
        var (httpPort, _) = await server.WaitUntilListeningAsync(Patience);
        return await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{httpPort}/video.h264"));
    }

    [Test]
    public async Task Rpicam_with_codec_h264_passes_the_cameras_own_stream_through_to_viewers()
    {
        const string expected = "-t 0 -n --codec h264 --inline --flush --profile baseline --intra 24 --bitrate 400000 "
            + "--width 640 --height 480 --framerate 24 --hflip -o -";
        using var camera = FakeH264Rpicam.Create(new FrameFormat(640, 480), expected);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam", "--codec", "h264", "--hflip"], camera.Environment);
        using var viewer = await ConnectH264Async(server);

        var messages = await viewer.ReceiveMessagesAsync(1 + 48, Patience);

        Assert.That(messages, Has.Count.EqualTo(49), server.StandardError);
        Assert.That(camera.Starts, Is.EqualTo(new[] { expected }), "started once, with the H.264 command line");
        Assert.That(messages[0], Is.EqualTo(H264Probe.Header(640, 480)));
        var units = messages.Skip(1).ToList();
        Assert.That(H264AccessUnit.Parse(units[0]).IsJoinPoint, "starts at an IDR picture with SPS and PPS");
        Assert.That(units.Select(u => H264AccessUnit.Parse(u).Type), Is.All.AnyOf(PictureType.I, PictureType.P), "one picture per message");
        var decoded = await H264Probe.DecodeAsync(units);
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Sizes, Has.Count.EqualTo(units.Count));
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (640, 480) }));
        // Passed through: the camera is the server's only child (no decoder, no encoder) while nobody asks for JPEGs.
        Assert.That(server.ChildPids().Select(ServerProcess.CommandLineOf).ToList(), Has.Count.EqualTo(1).And.All.Contains("testsrc"));
        Assert.That(server.StandardError, Does.Contain("H.264 400 kbit/s (from the camera)"));

        // MPEG-1 is not offered (there are no raw frames for it); snapshots decode the camera's H.264 on demand.
        var (httpPort, _) = await server.WaitUntilListeningAsync(Patience);
        using var http = new HttpClient();
        Assert.That((await http.GetAsync($"http://127.0.0.1:{httpPort}/video")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var snapshot = await Eventually.ValueAsync(async () =>
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{httpPort}/snapshot.jpg");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync() : null;
        }, Patience, "a snapshot from the camera's H.264");
        Assert.That(snapshot.AsSpan(0, 2).ToArray(), Is.EqualTo(new byte[] { 0xFF, 0xD8 }), "a JPEG");
    }

    [Test]
    public async Task Killed_h264_encoder_is_restarted_and_what_a_viewer_got_across_it_decodes_as_one_stream()
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback);
        using var viewer = await ConnectH264Async(server);
        var before = await viewer.ReceiveMessagesAsync(1 + 30, Patience);
        Assert.That(before, Has.Count.EqualTo(31), server.StandardError);
        var encoder = server.ChildWhoseCommandLineContains("libx264");

        ServerProcess.SignalProcess(encoder, ServerProcess.SIGKILL);
        var after = await viewer.ReceiveForAsync(TimeSpan.FromSeconds(5));

        Assert.That(server.StandardError, Does.Contain("H.264 encoder failed: ffmpeg exited with code 137; restarting in 1 s"));
        Assert.That(server.ChildWhoseCommandLineContains("libx264"), Is.Not.EqualTo(encoder), "a new encoder runs");
        var units = before.Skip(1).Concat(after.Select(m => m.Data)).ToList();
        Assert.That(after.Count, Is.GreaterThan(40), "the viewer stayed connected and kept receiving");
        var decoded = await H264Probe.DecodeAsync(units);
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Sizes, Has.Count.EqualTo(units.Count));
        Assert.That(decoded.Sizes.Distinct(), Is.EqualTo(new[] { (640, 480) }));
    }
}
