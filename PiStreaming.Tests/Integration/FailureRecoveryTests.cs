using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// The server keeps running and keeps its viewers when the camera or the encoder fails: camera
/// missing, busy, killed; encoder killed. Real server process, real ffmpeg, a fake rpicam-vid.
/// </summary>
public class FailureRecoveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private const string RpicamArguments = "-t 0 -n --codec yuv420 --width 640 --height 480 --framerate 24 --flush -o -";

    [Test]
    public async Task Killed_encoder_is_restarted_after_its_1_s_delay_and_viewers_resume_at_an_I_picture()
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback);
        using var viewer = await ConnectAsync(server);
        var before = await viewer.ReceiveMessagesAsync(1 + 24, Patience);
        Assert.That(before, Has.Count.EqualTo(25), server.StandardError);
        var encoder = server.ChildWhoseCommandLineContains("mpeg1video");

        ServerProcess.SignalProcess(encoder, ServerProcess.SIGKILL);
        var after = await viewer.ReceiveForAsync(TimeSpan.FromSeconds(5));

        var resumed = IndexAfterLongestPause(after);
        var outage = after[resumed].At - (resumed > 0 ? after[resumed - 1].At : TimeSpan.Zero);
        TestContext.Out.WriteLine($"encoder killed: video paused {outage.TotalMilliseconds:0} ms; first new picture {after[resumed].At.TotalMilliseconds:0} ms after the kill");
        Assert.That(outage, Is.GreaterThan(TimeSpan.FromSeconds(0.9)), "the first restart waits its 1 s");
        Assert.That(after[resumed].At, Is.LessThan(TimeSpan.FromSeconds(2.5)), "restarted after 1 s (plus its first pictures; slack for a busy machine)");
        // In low-latency mode a picture's start code went out at the end of the message before it.
        var first = EncodedPicture.Parse(new byte[] { 0, 0, 1, 0 }.Concat(after[resumed].Data).ToArray());
        Assert.That(first.Type, Is.EqualTo(PictureType.I), "the new encoder starts with an I picture");
        // Old encoder, then new: what the viewer got since it joined decodes as one stream.
        await AssertDecodesAsync([.. before.Skip(1), .. after.Select(m => m.Data)], minimumPictures: 24 + 40);

        Assert.That(after[^1].At, Is.GreaterThan(TimeSpan.FromSeconds(4.5)), "the viewer stayed connected and kept receiving");
        Assert.That(server.ChildWhoseCommandLineContains("mpeg1video"), Is.Not.EqualTo(encoder), "a new encoder runs");
        Assert.That(server.StandardError, Does.Contain("encoder failed: ffmpeg exited with code 137; restarting in 1 s"));
        var metrics = await ScrapeAsync(server);
        Assert.That(metrics.Value("pistreaming_encoder_restarts_total", ("encoder", "mpeg1")), Is.EqualTo(1), "/metrics counts the restart");
        Assert.That(metrics.Value("pistreaming_camera_restarts_total"), Is.Zero);
    }

    [Test]
    public async Task Killed_camera_is_restarted_and_viewers_keep_watching_the_same_stream()
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(640, 480), 640, RpicamArguments);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam"], camera.Environment);
        using var viewer = await ConnectAsync(server);
        var before = await viewer.ReceiveMessagesAsync(1 + 24, Patience);
        Assert.That(before, Has.Count.EqualTo(25), server.StandardError);
        var encoder = server.ChildWhoseCommandLineContains("mpeg1video");
        var cameraProcess = server.ChildWhoseCommandLineContains(camera.FramesFile);

        ServerProcess.SignalProcess(cameraProcess, ServerProcess.SIGKILL);
        var after = await viewer.ReceiveForAsync(TimeSpan.FromSeconds(5));

        var resumed = IndexAfterLongestPause(after);
        var outage = after[resumed].At - (resumed > 0 ? after[resumed - 1].At : TimeSpan.Zero);
        TestContext.Out.WriteLine($"camera killed: video paused {outage.TotalMilliseconds:0} ms");
        Assert.That(outage, Is.GreaterThan(TimeSpan.FromSeconds(0.8)), "the camera really was gone for the 1 s backoff");
        Assert.That(after.Count - resumed, Is.GreaterThanOrEqualTo(24), "video resumed");
        // The encoder ran on, so the stream carries straight on: everything the viewer got decodes as one.
        await AssertDecodesAsync([.. before.Skip(1), .. after.Select(m => m.Data)], minimumPictures: 24 + 24);

        var stopped = await server.WaitForLogAsync("Raspberry Pi camera stopped after", Patience);
        Assert.That(stopped, Does.Contain("rpicam-vid exited with code 137").And.Contain("retrying in 1 s").And.Contain("rpicam-hello --list-cameras"));
        Assert.That(server.StandardError, Does.Contain("video resumed"));
        Assert.That(server.ChildWhoseCommandLineContains("mpeg1video"), Is.EqualTo(encoder), "the encoder was not restarted");
        Assert.That(after[^1].At, Is.GreaterThan(TimeSpan.FromSeconds(4.5)), "the viewer stayed connected and kept receiving");
        var metrics = await ScrapeAsync(server);
        Assert.That(metrics.Value("pistreaming_camera_restarts_total"), Is.EqualTo(1), "/metrics counts the restart");
        Assert.That(metrics.Value("pistreaming_encoder_restarts_total", ("encoder", "mpeg1")), Is.Zero);
    }

    private static async Task<PrometheusText> ScrapeAsync(ServerProcess server)
    {
        var ports = await server.WaitUntilListeningAsync(Patience);
        using var http = new HttpClient { Timeout = Patience };
        return PrometheusText.Parse(await http.GetStringAsync($"http://127.0.0.1:{ports.Http}/metrics"));
    }

    [Test]
    public async Task Camera_missing_then_busy_then_back_the_server_waits_says_what_to_do_and_video_starts()
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(640, 480), 640, RpicamArguments, install: false);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam"], camera.Environment);
        using var viewer = await ConnectAsync(server);
        Assert.That(await viewer.ReceiveMessagesAsync(1, Patience), Has.Count.EqualTo(1), "the viewer gets its header without a camera");

        var missing = await server.WaitForLogAsync("not found on PATH", Patience);
        Assert.That(missing, Does.Contain("rpicam-vid").And.Contain("sudo apt install rpicam-apps").And.Contain("retrying in"));

        camera.InstallFailing("ERROR: *** failed to acquire camera /base/soc/i2c0mux/i2c@1/imx708@1a ***", 255);
        var busy = await server.WaitForLogAsync("delivered no frames", Patience);
        Assert.That(busy, Does.Contain("exited with code 255 (ERROR: *** failed to acquire camera").And.Contain("no other program is using it"));

        camera.InstallWorking(RpicamArguments);
        var messages = await viewer.ReceiveMessagesAsync(12, Patience);

        Assert.That(messages, Has.Count.EqualTo(12), server.StandardError);
        Assert.That(EncodedPicture.Parse(messages[0]).Type, Is.EqualTo(PictureType.I));
        await AssertDecodesAsync(messages, minimumPictures: 12);
        Assert.That(server.Process.HasExited, Is.False);
        Assert.That(server.StandardError, Does.Not.Contain("left"), "the viewer stayed connected throughout");
    }

    [Test]
    public async Task Camera_that_hangs_is_stopped_after_5_s_of_silence_and_started_again()
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(640, 480), 640, RpicamArguments, install: false);
        camera.InstallHanging(frames: 12);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam"], camera.Environment);
        using var viewer = await ConnectAsync(server);

        var line = await server.WaitForLogAsync("sent nothing for", Patience);
        Assert.That(line, Does.Contain("Raspberry Pi camera stopped after 12 frames: rpicam-vid sent nothing for 5 s and was stopped"));
        Assert.That(server.StandardError, Does.Contain("fake rpicam-vid: hanging"));

        camera.InstallWorking(RpicamArguments);
        var messages = await viewer.ReceiveMessagesAsync(1 + 24, Patience);
        Assert.That(messages, Has.Count.EqualTo(25), "video comes back once the camera works again");
        Assert.That(server.StandardError, Does.Contain("video resumed"));
    }

    [Test]
    public async Task Missing_webcam_is_reported_with_what_to_check_and_the_server_keeps_running()
    {
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "v4l2:/dev/video77"]);
        using var viewer = await ConnectAsync(server);

        var line = await server.WaitForLogAsync("webcam /dev/video77 delivered no frames", Patience);

        Assert.That(line, Does.Contain("/dev/video77").And.Contain("--list-devices").And.Contain("retrying in 1 s"));
        Assert.That(await viewer.ReceiveMessagesAsync(1, Patience), Is.EqualTo(new[] { JsmpHeader.Create(new FrameFormat(640, 480)) }));
        Assert.That(server.Process.HasExited, Is.False);
    }

    private static async Task<WebSocketViewer> ConnectAsync(ServerProcess server)
    {
        var (_, wsPort) = await server.WaitUntilListeningAsync(Patience);
        return await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
    }

    private static int IndexAfterLongestPause(List<(TimeSpan At, byte[] Data)> messages)
    {
        Assert.That(messages, Is.Not.Empty, "no video at all after the failure");
        var best = 0;
        var longest = messages[0].At;
        for (var i = 1; i < messages.Count; i++)
        {
            if (messages[i].At - messages[i - 1].At > longest)
            {
                longest = messages[i].At - messages[i - 1].At;
                best = i;
            }
        }

        return best;
    }

    private static async Task AssertDecodesAsync(IReadOnlyList<byte[]> pictures, int minimumPictures)
    {
        Assert.That(pictures, Has.Count.GreaterThanOrEqualTo(minimumPictures));
        var decoded = await FfmpegProbe.DecodeAsync(pictures.SelectMany(p => p).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Frames), Is.EqualTo((640, 480, VideoMessages.PictureCount(pictures))));
        Assert.That(decoded.Errors, Is.Empty);
    }
}
