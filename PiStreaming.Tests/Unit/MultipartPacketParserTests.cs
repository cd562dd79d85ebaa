using System.Buffers;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Unit;

public class MultipartPacketParserTests
{
    private static byte[] encoderOutput = [];

    [OneTimeSetUp]
    public static async Task EncodeSomeFramesWithTheRealArguments()
    {
        // The server's own ffmpeg arguments, with the input taken from ffmpeg's testsrc instead of a pipe.
        var settings = new EncoderSettings(new FrameFormat(160, 120), Mpeg1FrameRate.For(24), 200);
        var raw = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-frames:v", "30", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var file = Path.Combine(Path.GetTempPath(), $"frames-{Guid.NewGuid():N}.yuv");
        await File.WriteAllBytesAsync(file, raw);
        try
        {
            var arguments = FfmpegArguments.For(settings).ToArray();
            arguments[Array.IndexOf(arguments, "pipe:0")] = file;
            encoderOutput = await FfmpegProbe.GenerateAsync(arguments[..^1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<byte[]> ParseAll(ReadOnlySequence<byte> buffer)
    {
        var packets = new List<byte[]>();
        while (MultipartPacketParser.TryReadPacket(ref buffer, out var packet))
        {
            packets.Add(packet);
        }

        return packets;
    }

    [Test]
    public void Real_encoder_output_gives_one_picture_per_frame()
    {
        var pictures = ParseAll(Sequences.Of(encoderOutput)).Select(p => EncodedPicture.Parse(p)).ToList();
        Assert.That(pictures, Has.Count.EqualTo(30));
        Assert.That(pictures[0].Type, Is.EqualTo(PictureType.I));
        Assert.That(pictures[0].HasSequenceHeader, Is.True);
        Assert.That(pictures.Skip(1).Take(11).Select(p => p.Type), Is.All.EqualTo(PictureType.P));
        Assert.That(pictures.Where(p => p.HasSequenceHeader).Select(p => p.Type), Is.All.EqualTo(PictureType.I));
    }

    [Test]
    public void Split_at_every_byte_boundary_gives_the_same_packets()
    {
        var whole = ParseAll(Sequences.Of(encoderOutput));
        for (var split = 1; split < encoderOutput.Length; split++)
        {
            var parts = ParseAll(Sequences.Of(encoderOutput[..split], encoderOutput[split..]));
            if (parts.Count != whole.Count || !parts.Zip(whole).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
            {
                Assert.Fail($"split at byte {split} gave {parts.Count} packets instead of {whole.Count}");
            }
        }
    }

    [Test]
    public void Incomplete_packet_is_left_in_the_buffer_until_the_rest_arrives()
    {
        var buffer = Sequences.Of(encoderOutput[..100]);
        Assert.That(MultipartPacketParser.TryReadPacket(ref buffer, out _), Is.False);
        Assert.That(buffer.Length, Is.EqualTo(100));
    }

    [Test]
    public void Bytes_that_are_not_multipart_are_an_error()
    {
        var junk = Sequences.Of(Enumerable.Repeat((byte)'x', 4096).ToArray());
        Assert.Throws<InvalidDataException>(() => MultipartPacketParser.TryReadPacket(ref junk, out _));
    }
}
