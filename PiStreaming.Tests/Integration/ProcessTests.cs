using System.Diagnostics;
using System.Net.Sockets;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>The program as a real process: start-up errors, and stopping with viewers connected.</summary>
public class ProcessTests
{
    [TestCase(ServerProcess.SIGINT)]
    [TestCase(ServerProcess.SIGTERM)]
    public async Task Stop_signal_with_viewers_connected_exits_0_quickly_and_leaves_no_ffmpeg(int signal)
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback);
        var (_, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        var viewers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"))));
        await Task.WhenAll(viewers.Select(v => v.ReceiveMessagesAsync(3, TimeSpan.FromSeconds(10))));
        var children = server.ChildPids();
        Assert.That(children, Is.Not.Empty, "ffmpeg should be running");

        var stopwatch = Stopwatch.StartNew();
        server.Signal(signal);
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(5));
        stopwatch.Stop();
        TestContext.Out.WriteLine($"signal {signal}: exited {exitCode} after {stopwatch.ElapsedMilliseconds} ms");

        Assert.That(exitCode, Is.Zero, server.StandardError);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "goal is under 1 s; slack for a busy machine");
        Assert.That(children.Where(ServerProcess.IsAlive), Is.Empty, "ffmpeg left behind");
        Assert.That(server.StandardError, Does.Not.Contain("Exception").And.Not.Contain("fail:"));
        foreach (var viewer in viewers)
        {
            Assert.That(await viewer.ReceiveMessagesAsync(1000, TimeSpan.FromSeconds(2)), Is.Not.Null);
            Assert.That(viewer.CloseStatus, Is.EqualTo(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable), "viewers get a proper close");
            viewer.Dispose();
        }
    }

    [Test]
    public async Task Ctrl_c_to_the_whole_process_group_ends_everything_without_error_noise()
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback, ownProcessGroup: true);
        var (_, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        await viewer.ReceiveMessagesAsync(3, TimeSpan.FromSeconds(10));
        var children = server.ChildPids();

        server.SignalProcessGroup(ServerProcess.SIGINT);

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(5)), Is.Zero, server.StandardError);
        Assert.That(children.Where(ServerProcess.IsAlive), Is.Empty, "ffmpeg left behind");
        Assert.That(server.StandardError, Does.Not.Contain("fail:").And.Not.Contain("error").And.Not.Contain("Exception"));
        Assert.That(server.StandardError, Does.Contain("stopped"));
    }

    [Test]
    public async Task Second_ctrl_c_during_the_orderly_stop_exits_at_once()
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback);
        var (_, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        // A viewer that never answers the close handshake keeps the orderly stop waiting for its timeout.
        using var silent = await RawConnection.ConnectAsync(wsPort);
        await silent.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawConnection.Handshake(wsPort)));
        Assert.That(await silent.ReadHeadAsync(TimeSpan.FromSeconds(10)), Does.StartWith("HTTP/1.1 101 "));
        var children = server.ChildPids();
        Assert.That(children, Is.Not.Empty, "ffmpeg should be running");

        server.Signal(ServerProcess.SIGINT);
        await server.WaitForLogAsync("stopping camera and encoder", TimeSpan.FromSeconds(10));
        // Signals closer together than 100 ms are one request (ShutdownSignal.SameRequest); this one is another.
        await Task.Delay(250);
        server.Signal(ServerProcess.SIGINT);

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(130), server.StandardError);
        Assert.That(server.StandardError, Does.Contain("second stop signal"));
        Assert.That(children.Where(ServerProcess.IsAlive), Is.Empty, "ffmpeg is killed before the immediate exit");
    }

    [Test]
    public async Task Ctrl_c_with_a_camera_running_stops_it_too_without_error_noise()
    {
        const string arguments = "-t 0 -n --codec yuv420 --width 640 --height 480 --framerate 24 --flush -o -";
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(640, 480), 640, arguments);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam"], camera.Environment, ownProcessGroup: true);
        var (_, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        Assert.That(await viewer.ReceiveMessagesAsync(3, TimeSpan.FromSeconds(10)), Has.Count.EqualTo(3), server.StandardError);
        var children = server.ChildPids();
        Assert.That(children, Has.Count.EqualTo(3), "the camera and the two encoders (MPEG-1 and H.264)");

        server.SignalProcessGroup(ServerProcess.SIGINT);

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(5)), Is.Zero, server.StandardError);
        Assert.That(children.Where(ServerProcess.IsAlive), Is.Empty, "camera or encoder left behind");
        Assert.That(server.StandardError, Does.Not.Contain("fail:").And.Not.Contain("retrying").And.Not.Contain("Exception"));
    }

    [Test]
    public async Task Port_in_use_is_one_line_and_exit_code_2()
    {
        using var busy = new TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        using var server = ServerProcess.Start(["--bind", "127.0.0.1", "--http-port", port.ToString(), "--ws-port", "0"]);
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2));
        Assert.That(server.StandardError.Trim(), Does.StartWith("error: ").And.Contain("in use").And.Not.Contain('\n'));
    }

    [Test]
    public async Task Missing_ffmpeg_says_how_to_install_it()
    {
        var dotnetDirectory = Path.GetDirectoryName(Environment.ProcessPath)!;
        using var server = ServerProcess.Start(ServerProcess.Loopback, new Dictionary<string, string?> { ["PATH"] = dotnetDirectory });
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2));
        Assert.That(server.StandardError.Trim(), Is.EqualTo("error: ffmpeg not found on PATH; install it with: sudo apt install ffmpeg"));
    }

    [Test]
    public async Task Invalid_option_is_one_line_and_exit_code_2()
    {
        using var server = ServerProcess.Start(["--width", "641"]);
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2));
        Assert.That(server.StandardError.Trim(), Does.StartWith("error: --width must be an even number").And.Not.Contain('\n'));
    }

    [Test]
    public async Task List_devices_prints_the_video_devices_or_says_there_are_none_and_exits_0()
    {
        using var server = ServerProcess.Start(["--list-devices"]);
        var output = await server.Process.StandardOutput.ReadToEndAsync();

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.Zero, server.StandardError);
        var devices = Directory.Exists("/dev") ? Directory.GetFileSystemEntries("/dev", "video*") : [];
        if (devices.Length == 0)
        {
            Assert.That(output.Trim(), Does.StartWith("no video devices found").And.Not.Contain('\n'));
        }
        else
        {
            Assert.That(output, Does.Contain(devices[0]));
        }
    }

    [Test]
    public async Task Stdin_ending_inside_a_frame_drops_the_torn_frame_and_exits_normally()
    {
        var frames = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=320x240:rate=24", "-frames:v", "24", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var (server, messages) = await PipeThroughServerAsync(frames.AsMemory(0, frames.Length - 1000), "--width", "320", "--height", "240");
        using var _ = server;

        Assert.That(server.StandardError, Does.Contain("ended inside a frame (114200 of 115200 bytes); dropped it"));
        var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
        Assert.That(decoded.Frames, Is.EqualTo(23), "every whole frame arrives");
    }

    [Test]
    public async Task Stdin_with_stride_takes_padded_frames_like_rpicam_vid_piped_in_by_hand()
    {
        const string source = "testsrc=size=854x480:rate=24";
        var tight = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", source, "-frames:v", "24", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var padded = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", source, "-frames:v", "24", "-vf", "pad=896:480", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var (server, messages) = await PipeThroughServerAsync(padded, "--width", "854", "--height", "480", "--stride", "896", "--bitrate", "4000");
        using var _ = server;

        var stream = messages.Skip(1).SelectMany(m => m).ToArray();
        var pictures = await FfmpegProbe.DecodePicturesAsync(stream, 854, 480);
        Assert.That(pictures, Has.Count.EqualTo(24));
        var frameSize = 854 * 480 * 3 / 2;
        Assert.That(Pictures.MeanAbsoluteDifference(pictures[^1], tight[^frameSize..]), Is.LessThan(4));
    }

    [Test]
    public async Task Stdin_source_streams_piped_frames_and_ends_with_its_input()
    {
        var frames = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=320x240:rate=24", "-frames:v", "48", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var (server, messages) = await PipeThroughServerAsync(frames, "--width", "320", "--height", "240");
        using var _ = server;

        var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((320, 240)));
        Assert.That(decoded.Frames, Is.EqualTo(48), "every piped frame arrives; the viewer joined before the first");
    }

    /// <summary>
    /// Starts the server with --source stdin, connects a viewer, pipes <paramref name="input"/> in and
    /// closes it; checks that the server then exits 0 and returns it with every message the viewer got.
    /// </summary>
    private static async Task<(ServerProcess Server, List<byte[]> Messages)> PipeThroughServerAsync(ReadOnlyMemory<byte> input, params string[] arguments)
    {
        var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "stdin", .. arguments]);
        try
        {
            var (_, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
            using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));

            await server.Process.StandardInput.BaseStream.WriteAsync(input);
            server.Process.StandardInput.Close();
            var messages = await viewer.ReceiveMessagesAsync(1000, TimeSpan.FromSeconds(10));

            Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.Zero, server.StandardError);
            return (server, messages);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }
}
