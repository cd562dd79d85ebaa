using Microsoft.Extensions.Logging.Abstractions;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>A video file's own size and rate, read by the real ffprobe; and the one-line errors for files it cannot use.</summary>
public class VideoFileProbeTests
{
    private DirectoryInfo folder = null!;

    [OneTimeSetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("pistreaming-probe-");

    [OneTimeTearDown]
    public void DeleteFolder() => folder.Delete(recursive: true);

    [Test]
    public async Task Reads_the_size_and_rate_of_a_clip()
    {
        var clip = await MakeFileAsync("ntsc.mkv", "-f", "lavfi", "-i", "testsrc=size=352x288:rate=30000/1001", "-frames:v", "10",
            "-c:v", "mpeg4", "-f", "matroska");

        var format = await VideoFileProbe.ProbeAsync(clip, NullLogger.Instance, CancellationToken.None);

        Assert.That((format.Width, format.Height), Is.EqualTo((352, 288)));
        Assert.That(format.FrameRate, Is.EqualTo(30000.0 / 1001).Within(1e-9));
    }

    [Test]
    public async Task A_file_with_sound_only_has_no_video_stream()
    {
        var sound = await MakeFileAsync("sound.mka", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "mp2", "-f", "matroska");

        var error = Assert.ThrowsAsync<VideoProbeException>(() => VideoFileProbe.ProbeAsync(sound, NullLogger.Instance, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo($"--source file:{sound} has no video stream"));
    }

    [Test]
    public async Task A_file_that_is_not_a_video_names_ffprobes_reason_in_one_line()
    {
        var text = Path.Combine(folder.FullName, "notes.txt");
        await File.WriteAllTextAsync(text, "not a video\n");

        var error = Assert.ThrowsAsync<VideoProbeException>(() => VideoFileProbe.ProbeAsync(text, NullLogger.Instance, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo($"--source file:{text} is not a video file ffprobe can read: {text}: Invalid data found when processing input"));
    }

    [Test]
    public async Task The_server_says_a_file_without_video_in_one_line_and_exits_with_2()
    {
        var sound = await MakeFileAsync("tone.mka", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "mp2", "-f", "matroska");
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "file:" + sound]);

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2), server.StandardError);
        Assert.That(server.StandardError.Trim(), Is.EqualTo($"error: --source file:{sound} has no video stream"));
    }

    [Test]
    public async Task Without_ffprobe_the_server_says_how_to_install_it()
    {
        var clip = await MakeFileAsync("clip.mkv", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-frames:v", "5", "-c:v", "mpeg4", "-f", "matroska");
        var dotnetDirectory = Path.GetDirectoryName(Environment.ProcessPath)!;
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "file:" + clip],
            new Dictionary<string, string?> { ["PATH"] = dotnetDirectory });

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2), server.StandardError);
        Assert.That(server.StandardError.Trim(), Is.EqualTo("error: ffprobe not found on PATH; install it with: sudo apt install ffmpeg"));
    }

    private async Task<string> MakeFileAsync(string name, params string[] ffmpegArguments)
    {
        var file = Path.Combine(folder.FullName, name);
        await File.WriteAllBytesAsync(file, await FfmpegProbe.GenerateAsync(ffmpegArguments));
        return file;
    }
}
