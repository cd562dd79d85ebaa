using System.Diagnostics;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// The published x64 build (`./build.sh publish linux-x64`) is Native AOT: one native executable, no .NET runtime beside
/// it. It is published once for this fixture (a few minutes on 2 cores), then run as a user runs it: the test pattern,
/// and a video file (the source that needs ffprobe's JSON read without reflection).
/// </summary>
internal class NativeAotBuildTests
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private string executable = null!;
    private DirectoryInfo folder = null!;

    [OneTimeSetUp]
    public async Task Publish()
    {
        executable = Path.Combine(await PublishedBuild.PublishAsync("linux-x64", PublishLimit), "PiStreaming");
        folder = Directory.CreateTempSubdirectory("pistreaming-aot-");
    }

    [OneTimeTearDown]
    public void DeleteFolder() => folder?.Delete(recursive: true);

    [Test]
    public void It_is_one_native_x64_executable_with_the_pages_beside_it()
    {
        var published = Path.GetDirectoryName(executable)!;

        Assert.That(PublishedBuild.ElfMachine(executable), Is.EqualTo(PublishedBuild.ElfMachineX86_64));
        Assert.That(Directory.GetFiles(published, "*.dll"), Is.Empty, "no IL assemblies: the code is compiled into the executable");
        Assert.That(Directory.GetFiles(published, "libcoreclr.so"), Is.Empty, "no .NET runtime to load");
        Assert.That(Directory.GetFiles(Path.Combine(published, "static")).Select(Path.GetFileName),
            Is.SupersetOf(new[] { "index.html", "status.html", "jsmpg.js", "jmuxer.min.js" }));
    }

    [Test]
    public async Task It_serves_the_page_and_video_that_ffmpeg_decodes()
    {
        var clock = Stopwatch.StartNew();
        using var server = ServerProcess.StartProgram(executable, ServerProcess.Loopback);
        var ports = await server.WaitUntilListeningAsync(Patience);
        TestContext.Out.WriteLine($"linux-x64 Native AOT build: listening {clock.Elapsed.TotalMilliseconds:F0} ms after start");

        using var http = new HttpClient { Timeout = Patience };
        using var page = await http.GetAsync($"http://127.0.0.1:{ports.Http}/index.html");
        Assert.That((int)page.StatusCode, Is.EqualTo(200));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("location.host + '/video'"));
        using var decoder = await http.GetAsync($"http://127.0.0.1:{ports.Http}/jsmpg.js");
        Assert.That((int)decoder.StatusCode, Is.EqualTo(200), "the page's decoder comes from the published static/ folder");

        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{ports.Http}/video"));
        var messages = await viewer.ReceiveMessagesAsync(1 + 24, Patience);
        Assert.That(messages, Has.Count.EqualTo(25), $"the server logged:\n{server.StandardError}");
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(640, 480))));
        var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Errors), Is.EqualTo((640, 480, "")));
        Assert.That(decoded.Frames, Is.GreaterThanOrEqualTo(1));

        await StopAsync(server);
    }

    [Test]
    public async Task It_plays_a_video_file_at_the_files_own_size()
    {
        var clip = Path.Combine(folder.FullName, "clip.mkv");
        await File.WriteAllBytesAsync(clip, await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "2",
            "-c:v", "mpeg4", "-f", "matroska"));
        using var server = ServerProcess.StartProgram(executable, [.. ServerProcess.Loopback, "--source", "file:" + clip]);
        var ports = await server.WaitUntilListeningAsync(Patience);

        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{ports.Http}/video"));
        var messages = await viewer.ReceiveMessagesAsync(1 + 15, Patience);
        Assert.That(messages, Has.Count.EqualTo(16), $"the server logged:\n{server.StandardError}");
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(320, 240))), "the file's own size, read by ffprobe");
        Assert.That(server.StandardError, Does.Contain("at 320x240, 15 fps"));
        var decoded = await FfmpegProbe.DecodeAsync(messages.Skip(1).SelectMany(m => m).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Errors), Is.EqualTo((320, 240, "")));

        await StopAsync(server);
    }

    [Test]
    public async Task A_file_that_is_not_a_video_is_one_error_line_and_exit_code_2()
    {
        var text = Path.Combine(folder.FullName, "notes.txt");
        await File.WriteAllTextAsync(text, "not a video\n");
        using var server = ServerProcess.StartProgram(executable, [.. ServerProcess.Loopback, "--source", "file:" + text]);

        Assert.That(await server.WaitForExitAsync(Patience), Is.EqualTo(2), server.StandardError);
        Assert.That(server.StandardError.Trim(), Does.StartWith($"error: --source file:{text} is not a video file ffprobe can read").And.Not.Contain('\n'));
    }

    private static async Task StopAsync(ServerProcess server)
    {
        server.Signal(ServerProcess.SIGTERM);
        Assert.That(await server.WaitForExitAsync(Patience), Is.Zero, server.StandardError);
    }
}
