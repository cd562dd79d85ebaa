using System.Globalization;
using System.Text.RegularExpressions;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// The low-latency mode must not cost picture quality or decodability: same pictures, same quality
/// at the same bitrate, and a stream ffmpeg decodes exactly like the encoder's own output.
/// </summary>
public partial class LatencyModeTests
{
    private static readonly FrameFormat Format = new(640, 480);
    private const int FrameCount = 96; // 4 s at 24 fps: several GOPs
    private static byte[][] sourceFrames = [];

    private static async Task UseSourceAsync(string source)
    {
        if (source == "testpattern")
        {
            var painter = new TestPatternPainter(Format);
            sourceFrames = Enumerable.Range(0, FrameCount).Select(n =>
            {
                var frame = new byte[Format.FrameSize];
                painter.Paint(frame, n, producedAtUnixMilliseconds: 0);
                return frame;
            }).ToArray();
            return;
        }

        // A camera-like picture: motion everywhere plus sensor noise, so the rate control has to work.
        var raw = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", $"testsrc2=size={Format}:rate=24,noise=alls=12:allf=t",
            "-frames:v", FrameCount.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p", "-f", "rawvideo");
        sourceFrames = raw.Chunk(Format.FrameSize).ToArray();
    }

    private static Task<List<EncodedPicture>> EncodeAsync(LatencyMode mode) =>
        EncoderRun.EncodeAsync(new EncoderSettings(Format, Mpeg1FrameRate.For(24), 800, LowDelay: mode == LatencyMode.Low), sourceFrames);

    [TestCase("testpattern")]
    [TestCase("noisy camera")]
    public async Task Low_delay_encoder_gives_one_picture_per_frame_with_the_same_quality_and_bitrate(string source)
    {
        await UseSourceAsync(source);
        var classic = await EncodeAsync(LatencyMode.Classic);
        var low = await EncodeAsync(LatencyMode.Low);
        Assert.That(classic, Has.Count.EqualTo(FrameCount));
        Assert.That(low, Has.Count.EqualTo(FrameCount));

        var classicBytes = classic.Sum(p => p.Data.Length);
        var lowBytes = low.Sum(p => p.Data.Length);
        var classicPsnr = await PsnrAsync(Concatenate(classic.Select(p => p.Data)));
        var lowPsnr = await PsnrAsync(Concatenate(low.Select(p => p.Data)));
        TestContext.Out.WriteLine($"classic: {classicBytes * 8 * 24 / FrameCount / 1000} kbit/s, PSNR {classicPsnr:0.00} dB");
        TestContext.Out.WriteLine($"low:     {lowBytes * 8 * 24 / FrameCount / 1000} kbit/s, PSNR {lowPsnr:0.00} dB");

        Assert.That(lowBytes, Is.EqualTo(classicBytes).Within(10).Percent, "same real bitrate");
        Assert.That(lowPsnr, Is.GreaterThan(classicPsnr - 0.5), "no more than 0.5 dB worse");
    }

    [Test]
    public async Task What_a_low_latency_viewer_receives_decodes_to_exactly_the_encoders_pictures()
    {
        await UseSourceAsync("testpattern");
        var pictures = await EncodeAsync(LatencyMode.Low);
        var framed = pictures.Select(p => FramedPicture.Create(p, LatencyMode.Low)).ToList();

        // A viewer joins at the first picture and then gets every later picture's message.
        var received = framed[0].JoinMessages.Concat(framed.Skip(1).Select(f => f.Message));
        var viewerStream = Concatenate(received);
        var encoderStream = Concatenate(pictures.Select(p => p.Data));

        Assert.That(framed.Count(f => f.Picture.HasSequenceHeader), Is.GreaterThan(1), "several GOPs, so headers were left out");
        var fromViewer = await DecodeRawAsync(viewerStream);
        var fromEncoder = await DecodeRawAsync(encoderStream);
        Assert.That(fromViewer.Errors, Is.Empty);
        Assert.That(fromViewer.Raw.Length, Is.EqualTo(FrameCount * Format.FrameSize), "exactly one decoded frame per source frame");
        Assert.That(fromViewer.Raw.SequenceEqual(fromEncoder.Raw), Is.True, "identical pictures");
    }

    private static byte[] Concatenate(IEnumerable<ReadOnlyMemory<byte>> parts) => parts.SelectMany(p => p.ToArray()).ToArray();

    private static async Task<double> PsnrAsync(byte[] mpeg1)
    {
        var source = await TempFileAsync(sourceFrames.SelectMany(f => f).ToArray(), ".yuv");
        var encoded = await TempFileAsync(mpeg1, ".m1v");
        try
        {
            var (_, log) = await RunFfmpegAsync("-v", "info", "-i", encoded, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", Format.ToString(), "-framerate", "24",
                "-i", source, // An elementary stream has no timestamps: number the frames so the filter pairs frame N with frame N.
                "-lavfi", "[0:v]setpts=N/24/TB[decoded];[1:v]setpts=N/24/TB[source];[decoded][source]psnr", "-f", "null", "-");
            var match = PsnrAverage().Match(log);
            Assert.That(match.Success, Is.True, log);
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(source);
            File.Delete(encoded);
        }
    }

    private static async Task<(byte[] Raw, string Errors)> DecodeRawAsync(byte[] mpeg1)
    {
        var file = await TempFileAsync(mpeg1, ".m1v");
        try
        {
            return await RunFfmpegAsync("-v", "error", "-i", file, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> TempFileAsync(byte[] content, string extension)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}{extension}");
        await File.WriteAllBytesAsync(file, content);
        return file;
    }

    private static async Task<(byte[] Output, string Errors)> RunFfmpegAsync(params string[] arguments)
    {
        var (output, errors, _) = await FfmpegProbe.RunBinaryAsync("ffmpeg", arguments);
        return (output, errors);
    }

    [GeneratedRegex(@"PSNR y:[\d.]+ u:[\d.]+ v:[\d.]+ average:([\d.]+)")]
    private static partial Regex PsnrAverage();

}
