using System.Diagnostics;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// The build for 64-bit Raspberry Pi OS (`./build.sh publish linux-arm64`, Native AOT, cross-compiled) runs without .NET: here under
/// qemu user-mode emulation, with the ARM64 C runtime of Debian's *-arm64-cross packages and an unpacked libssl3:arm64
/// (both installed by `./build.sh test`). The ffmpeg it starts is this machine's own, run natively by the kernel.
/// </summary>
internal class ArmBuildTests
{
    // Emulated code is slow: publishing, starting and stopping get far more time than the native server needs.
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task The_arm64_build_serves_the_page_and_video_that_ffmpeg_decodes_under_qemu()
    {
        var folder = await PublishedBuild.PublishAsync("linux-arm64", PublishLimit);
        var executable = Path.Combine(folder, "PiStreaming");
        Assert.That(PublishedBuild.ElfMachine(executable), Is.EqualTo(PublishedBuild.ElfMachineAarch64), "the published executable is an ARM64 program");
        Assert.That(Directory.GetFiles(folder, "*.dll"), Is.Empty, "Native AOT: the code is compiled into the executable");
        Assert.That(Directory.GetFiles(folder, "libcoreclr.so"), Is.Empty, "Native AOT: no .NET runtime to load");
        var libssl = Path.Combine(Repository.Root(), "artifacts", "qemu", "arm64", "usr", "lib", "aarch64-linux-gnu");
        Assert.That(File.Exists(Path.Combine(libssl, "libssl.so.3")), Is.True, $"{libssl}/libssl.so.3 is missing: ./build.sh test unpacks it");

        var clock = Stopwatch.StartNew();
        using var server = ServerProcess.StartProgram("qemu-aarch64-static",
            ["-L", "/usr/aarch64-linux-gnu", "-E", $"LD_LIBRARY_PATH={libssl}", executable, .. ServerProcess.Loopback]);
        (int Http, int WebSocket) ports;
        try
        {
            ports = await server.WaitUntilListeningAsync(StartLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the emulated server did not listen within {StartLimit.TotalSeconds} s; it logged:\n{server.StandardError}");
            return;
        }

        TestContext.Out.WriteLine($"linux-arm64 build under qemu: listening {clock.Elapsed.TotalSeconds:F1} s after start");

        using var http = new HttpClient { Timeout = Patience };
        using var page = await http.GetAsync($"http://127.0.0.1:{ports.Http}/index.html");
        Assert.That((int)page.StatusCode, Is.EqualTo(200));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("location.host + '/video'"));
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain($"ws://127.0.0.1:{ports.Http}/video"));
        using var decoder = await http.GetAsync($"http://127.0.0.1:{ports.Http}/jsmpg.js");
        Assert.That((int)decoder.StatusCode, Is.EqualTo(200), "the page's decoder comes from the published static/ folder");

        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{ports.Http}/video"));
        var messages = await viewer.ReceiveMessagesAsync(1 + 24, Patience);
        TestContext.Out.WriteLine($"linux-arm64 build under qemu: header and {messages.Count - 1} video messages {clock.Elapsed.TotalSeconds:F1} s after start");

        Assert.That(messages, Has.Count.EqualTo(25), $"the server logged:\n{server.StandardError}");
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(640, 480))));
        var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((640, 480)));
        Assert.That(decoded.Frames, Is.GreaterThanOrEqualTo(1));
        Assert.That(decoded.Errors, Is.Empty);

        server.Signal(ServerProcess.SIGTERM);
        Assert.That(await server.WaitForExitAsync(Patience), Is.Zero, server.StandardError);
        TestContext.Out.WriteLine($"linux-arm64 build under qemu: stopped {clock.Elapsed.TotalSeconds:F1} s after start");
    }

    [Test]
    public void Help_names_the_boards_the_builds_run_on()
    {
        var help = ServerCommandLine.Create().Description;

        Assert.That(help, Does.Contain("Raspberry Pi 3, 4, 5 and Zero 2 W (64-bit Raspberry Pi OS: ./build.sh publish linux-arm64)"));
        Assert.That(help, Does.Contain("(32-bit: linux-arm)"));
        Assert.That(help, Does.Contain("not on the ARMv6 Pi Zero, Zero W and Pi 1"));
    }
}
