using System.Diagnostics;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>--source file:PATH on a clip made here: played in real time, looped, scaled, flipped by the server.</summary>
public class FileSourceTests
{
    private string clip = null!;

    [OneTimeSetUp]
    public async Task MakeClip()
    {
        // One second of a still picture (colour bars) at 320x240, 24 fps, MPEG-4 in Matroska.
        clip = Path.Combine(Path.GetTempPath(), $"pistreaming-clip-{Guid.NewGuid():N}.mkv");
        var bytes = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "smptebars=size=320x240:rate=24", "-t", "1",
            "-c:v", "mpeg4", "-q:v", "2", "-f", "matroska");
        await File.WriteAllBytesAsync(clip, bytes);
    }

    [OneTimeTearDown]
    public void DeleteClip() => File.Delete(clip);

    [Test]
    public async Task A_one_second_clip_plays_in_real_time_looped_at_the_configured_size_and_flipped()
    {
        var options = new ServerOptions { Source = "file:" + clip, Width = 640, Height = 480, HorizontalFlip = true, BitrateKbps = 2000 };
        await using var server = await TestServer.StartAsync(options);
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        var first = await viewer.ReceiveMessagesAsync(2, TimeSpan.FromSeconds(10));
        Assert.That(first, Has.Count.EqualTo(2), "header and a first picture");
        Assert.That(first[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(640, 480))));

        var clock = Stopwatch.StartNew();
        var messages = await viewer.ReceiveMessagesAsync(60, TimeSpan.FromSeconds(10));
        var seconds = clock.Elapsed.TotalSeconds;

        TestContext.Out.WriteLine($"60 pictures of a 24-picture clip in {seconds:0.00} s");
        Assert.That(messages, Has.Count.EqualTo(60), "the clip loops: 60 pictures out of 24");
        Assert.That(seconds, Is.InRange(2.0, 5.0), "played at 24 fps (2.5 s), not as fast as ffmpeg can decode");

        // Decode everything since the viewer joined (its first picture carries the sequence header).
        var stream = first.Skip(1).Concat(messages).SelectMany(m => m).ToArray();
        var decoded = await FfmpegProbe.DecodeAsync(stream);
        Assert.That((decoded.Width, decoded.Height, decoded.Errors), Is.EqualTo((640, 480, "")));

        var expected = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "smptebars=size=320x240:rate=1", "-frames:v", "1",
            "-vf", "scale=640:480,hflip", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var picture = (await FfmpegProbe.DecodePicturesAsync(stream, 640, 480))[^1];
        var difference = Pictures.MeanAbsoluteDifference(picture, expected);
        TestContext.Out.WriteLine($"mean difference to the scaled, mirrored bars: {difference:0.00}");
        Assert.That(difference, Is.LessThan(4));
    }
}
