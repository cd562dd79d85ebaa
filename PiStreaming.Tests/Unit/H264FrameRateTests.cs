using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Unit;

/// <summary>The frame rate an SPS states, read from streams real libx264 wrote.</summary>
internal class H264FrameRateTests
{
    [TestCase("10", "baseline", 10.0)]
    [TestCase("30000/1001", "high", 29.97)]
    [TestCase("24", "high444", 24.0)]
    public async Task Reads_the_rate_libx264_writes_into_the_SPS(string rate, string profile, double expected)
    {
        var stream = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", $"testsrc=size=320x240:rate={rate}", "-frames:v", "2",
            "-c:v", "libx264", "-profile:v", profile, "-pix_fmt", profile == "high444" ? "yuv444p" : "yuv420p", "-f", "h264");

        Assert.That(H264FrameRate.Read(Sps(stream)), Is.EqualTo(expected).Within(0.01));
    }

    [Test]
    public async Task The_servers_H264_encoder_states_the_cameras_own_rate_which_MPEG1_cannot_code()
    {
        var options = new ServerOptions { Width = 320, Height = 240, FrameRate = 15 };
        var settings = EncoderSettings.From(options, "ffmpeg");
        Assert.That(settings.FrameRate.Value, Is.Not.EqualTo(15.0), "MPEG-1 has no 15 fps");
        var frames = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"frames-{Guid.NewGuid():N}.yuv");
        await File.WriteAllBytesAsync(frames, await FfmpegProbe.GenerateAsync(
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-frames:v", "2", "-pix_fmt", "yuv420p", "-f", "rawvideo"));
        try
        {
            // The server's own encoder command line, reading the frames from a file instead of stdin, writing plain annex B.
            var arguments = H264Arguments.For(settings, options.H264(H264EncoderKind.Libx264))
                .Select(a => a == "pipe:0" ? frames : a).TakeWhile(a => a != FfmpegArguments.PacketsOut.First());
            var stream = await FfmpegProbe.GenerateAsync([.. arguments, "-f", "h264"]);

            Assert.That(H264FrameRate.Read(Sps(stream)), Is.EqualTo(15.0).Within(0.01));
        }
        finally
        {
            File.Delete(frames);
        }
    }

    [Test]
    public async Task An_SPS_cut_short_states_no_rate()
    {
        var stream = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=320x240:rate=24", "-frames:v", "2", "-c:v", "libx264", "-f", "h264");
        var sps = Sps(stream);

        Assert.That(H264FrameRate.Read(sps), Is.EqualTo(24.0));
        Assert.That(H264FrameRate.Read(sps[..8]), Is.Null, "the timing is not in the first bytes");
    }

    private static byte[] Sps(byte[] stream)
    {
        foreach (var (start, length) in H264AccessUnit.NalUnits(stream))
        {
            if ((stream[start] & 0x1F) == H264AccessUnit.SequenceParameterSet)
            {
                return stream.AsSpan(start, length).ToArray();
            }
        }

        throw new AssertionException("no SPS in the stream");
    }
}
