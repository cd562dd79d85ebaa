using System.Buffers.Binary;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>--source file:PATH without --width/--height/--framerate streams the file at its own size and rate (read with ffprobe).</summary>
public class FileSourceSizeTests
{
    private DirectoryInfo folder = null!;
    private string clip = null!;

    [OneTimeSetUp]
    public async Task MakeClip()
    {
        folder = Directory.CreateTempSubdirectory("pistreaming-file-size-");
        clip = Path.Combine(folder.FullName, "clip.mkv");
        // A few frames of a test picture at 320x240, 15 fps.
        await File.WriteAllBytesAsync(clip, await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-frames:v", "15",
            "-c:v", "mpeg4", "-f", "matroska"));
    }

    [OneTimeTearDown]
    public void DeleteClip() => folder.Delete(recursive: true);

    [Test]
    public async Task Without_size_options_the_stream_has_the_files_own_size_and_rate()
    {
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "file:" + clip]);

        Assert.That(await HeaderSizeAsync(server), Is.EqualTo((320, 240)), server.StandardError);
        Assert.That(server.StandardError, Does.Contain("at 320x240, 15 fps"));
    }

    [Test]
    public async Task Explicit_size_and_rate_win_over_the_files_own()
    {
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "file:" + clip, "--width", "160", "--height", "120", "--framerate", "10"]);

        Assert.That(await HeaderSizeAsync(server), Is.EqualTo((160, 120)), server.StandardError);
        Assert.That(server.StandardError, Does.Contain("at 160x120, 10 fps"));
    }

    [Test]
    public async Task A_file_that_is_not_a_video_is_one_error_line_and_exit_code_2()
    {
        var text = Path.Combine(folder.FullName, "notes.txt");
        await File.WriteAllTextAsync(text, "not a video\n");
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "file:" + text]);

        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2), server.StandardError);
        Assert.That(server.StandardError.Trim(), Does.StartWith($"error: --source file:{text} is not a video file").And.Not.Contain('\n'));
    }

    // The jsmp header, the first 8 bytes a viewer receives: 'jsmp', then width and height as big-endian 16-bit numbers.
    private static async Task<(int Width, int Height)> HeaderSizeAsync(ServerProcess server)
    {
        var (_, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        var header = (await viewer.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(10)))[0];
        Assert.That(System.Text.Encoding.ASCII.GetString(header, 0, 4), Is.EqualTo("jsmp"));
        return (BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(6)));
    }
}
