using System.Diagnostics;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// Ctrl+C and SIGTERM stop the real process within a second with exit code 0, whatever the source is
/// doing: a producer on standard input that sends nothing, a camera tool that hangs, an encoder that
/// takes no frames, an encoder that keeps failing.
/// </summary>
public class StopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // The goal is 1 s; the rest is slack for a busy 2-core machine.
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(1.5);

    private const string RpicamArguments = "-t 0 -n --codec yuv420 --width 640 --height 480 --framerate 24 --flush -o -";

    [TestCase(ServerProcess.SIGINT)]
    [TestCase(ServerProcess.SIGTERM)]
    public async Task Stop_signal_with_a_silent_producer_on_stdin_exits_0_within_a_second(int signal)
    {
        // Standard input is a pipe the test holds open and never writes to: `sleep 60 | PiStreaming --source stdin`.
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "stdin"]);
        await server.WaitUntilListeningAsync(Patience);

        await StopWithinASecondAsync(server, signal, "stdin silent");
    }

    /// <param name="leavesAProcessBehind">the tool first starts a process outside its tree that keeps its stdout and stderr open.</param>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Ctrl_c_with_a_camera_tool_that_hangs_exits_0_within_a_second(bool leavesAProcessBehind)
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(640, 480), 640, RpicamArguments, install: false);
        camera.InstallHanging(frames: 12, leaveBehind: leavesAProcessBehind);
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam"], camera.Environment);
        await server.WaitForLogAsync("fake rpicam-vid: hanging", Patience);

        await StopWithinASecondAsync(server, ServerProcess.SIGINT, $"camera hung{(leavesAProcessBehind ? ", a process left behind holding its output" : "")}");
    }

    /// <param name="leavesAProcessBehind">the encoder first starts a process outside its tree that keeps its output open.</param>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Ctrl_c_with_an_encoder_that_takes_no_frames_exits_0_within_a_second(bool leavesAProcessBehind)
    {
        // Runs but never reads its input: the next frame waits in a full pipe.
        using var ffmpeg = FakeFfmpeg.Script(fake => $"""
            {(leavesAProcessBehind ? LeftBehind.Script(fake.LeftBehindPidFile) : "")}
            echo 'fake ffmpeg: hanging' >&2
            exec sleep 600
            """);
        using var server = ServerProcess.Start(ServerProcess.Loopback, ffmpeg.Environment);
        await server.WaitForLogAsync("fake ffmpeg: hanging", Patience);

        await StopWithinASecondAsync(server, ServerProcess.SIGINT, $"encoder stuck{(leavesAProcessBehind ? ", a process left behind holding its output" : "")}");
    }

    [Test]
    public async Task An_encoder_that_always_fails_is_restarted_after_1_2_4_s_with_one_line_per_failure_and_ctrl_c_still_stops_it()
    {
        using var ffmpeg = FakeFfmpeg.Script(_ => "echo \"fake ffmpeg: Unknown encoder 'mpeg1video'\" >&2\nexit 1");
        // The MPEG-1 encoder alone: the H.264 encoder's restarts would interleave their own lines.
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--codec", "mpeg1"], ffmpeg.Environment);
        await server.WaitForLogAsync("restarting in 4 s", Patience);

        var lines = server.StandardError.Split('\n');
        var failures = lines.Where(line => line.Contains("encoder failed", StringComparison.Ordinal)).ToList();
        TestContext.Out.WriteLine(string.Join('\n', failures));
        Assert.That(failures, Has.Count.EqualTo(3), server.StandardError);
        Assert.That(failures, Has.All.Contains("encoder failed: ffmpeg exited with code 1: fake ffmpeg: Unknown encoder 'mpeg1video'; restarting in "));
        Assert.That(failures.Select(line => line[(line.LastIndexOf("restarting in ", StringComparison.Ordinal) + 14)..]), Is.EqualTo(new[] { "1 s", "2 s", "4 s" }));
        Assert.That(server.StandardError, Does.Not.Contain("restarted"), "nothing claims a restart before it happened");

        // Each delay was waited out: the failure lines are as far apart as the delays they announced.
        var at = failures.Select(line => TimeSpan.Parse(line[..12], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(at[1] - at[0], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.95)));
        Assert.That(at[2] - at[1], Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.95)));

        // Lines a failure costs: its own and what ffmpeg said. The delays go 1, 2, 4, 8, then 10 s for
        // ever, so a minute holds at most 1 + 60 / 10 failures once the sequence is at its end (and 4
        // + 45 / 10 in the first minute): before, a failure every 0.5 s made 240 lines a minute.
        var firstFailure = Array.IndexOf(lines, failures[0]);
        var linesPerFailure = lines[(firstFailure + 1)..].Count(line => line.Length > 0) / 2.0;
        Assert.That(linesPerFailure, Is.LessThanOrEqualTo(2), server.StandardError);
        var failuresPerMinute = 4 + Math.Ceiling((60 - 15) / PiStreaming.Processes.RetryBackoff.Max.TotalSeconds);
        Assert.That(failuresPerMinute * linesPerFailure, Is.LessThanOrEqualTo(20), "log lines a minute");

        await StopWithinASecondAsync(server, ServerProcess.SIGINT, "encoder failing, during its 4 s wait");
    }

    [Test]
    public async Task Ffmpeg_gone_when_the_encoder_must_restart_is_one_error_line_and_exit_code_1()
    {
        using var ffmpeg = FakeFfmpeg.CopyOfReal();
        using var server = ServerProcess.Start(ServerProcess.Loopback, ffmpeg.Environment);
        var (_, wsPort) = await server.WaitUntilListeningAsync(Patience);
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        Assert.That(await viewer.ReceiveMessagesAsync(3, Patience), Has.Count.EqualTo(3), server.StandardError);
        var encoder = server.ChildWhoseCommandLineContains("mpeg1video");
        Assert.That(ServerProcess.CommandLineOf(encoder), Does.StartWith(ffmpeg.Path), "the server runs the copy");

        ffmpeg.Remove();
        ServerProcess.SignalProcess(encoder, ServerProcess.SIGKILL);

        Assert.That(await server.WaitForExitAsync(Patience), Is.EqualTo(1), server.StandardError);
        var errorLines = server.StandardError.Split('\n').Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.That(errorLines, Is.EqualTo(new[] { $"error: encoder failed: cannot start {ffmpeg.Path}: not found" }), server.StandardError);
        Assert.That(server.StandardError.Split('\n')[^1], Is.EqualTo(errorLines[0]), "the error is the last word");
        Assert.That(server.StandardError, Does.Contain("restarting in 1 s").And.Not.Contain("Exception").And.Not.Contain("   at "));
    }

    [Test]
    public async Task End_of_stdin_completes_the_stream_and_exits_0()
    {
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "stdin"]);
        await server.WaitUntilListeningAsync(Patience);

        server.Process.StandardInput.Close();

        Assert.That(await server.WaitForExitAsync(Patience), Is.Zero, server.StandardError);
        Assert.That(server.StandardError, Does.Contain("standard input ended").And.Contain("stopped").And.Not.Contain("error"));
    }

    private static async Task StopWithinASecondAsync(ServerProcess server, int signal, string what)
    {
        var children = server.ChildPids();
        var stopwatch = Stopwatch.StartNew();
        server.Signal(signal);
        var exitCode = await server.WaitForExitAsync(Patience);
        stopwatch.Stop();
        TestContext.Out.WriteLine($"{what}: signal {signal} -> exit code {exitCode} after {stopwatch.ElapsedMilliseconds} ms");

        Assert.That(exitCode, Is.Zero, server.StandardError);
        Assert.That(stopwatch.Elapsed, Is.LessThan(StopLimit), server.StandardError);
        Assert.That(server.StandardError, Does.Contain("stopped").And.Not.Contain("took longer"), "the orderly stop finished, not the safety net");
        Assert.That(children.Where(ServerProcess.IsAlive), Is.Empty, "a helper program was left behind");
    }
}
