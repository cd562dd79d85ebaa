using System.Buffers;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;

namespace PiStreaming.Tests.Support;

/// <summary>Pictures from the real encoder: ffmpeg with the server's own arguments on its testsrc, made once per test run.</summary>
internal static class RealPictures
{
    private static readonly Lazy<Task<IReadOnlyList<EncodedPicture>>> Encoded = new(() => EncodeAsync(48));

    /// <summary>48 pictures at 160x120, 24 fps: four GOPs of an I picture (with sequence header) and 11 P pictures.</summary>
    public static Task<IReadOnlyList<EncodedPicture>> GetAsync() => Encoded.Value;

    private static async Task<IReadOnlyList<EncodedPicture>> EncodeAsync(int frames)
    {
        var settings = new EncoderSettings(new FrameFormat(160, 120), Mpeg1FrameRate.For(24), 200);
        var raw = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-frames:v", $"{frames}",
            "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var file = Path.Combine(Path.GetTempPath(), $"frames-{Guid.NewGuid():N}.yuv");
        await File.WriteAllBytesAsync(file, raw);
        try
        {
            var arguments = FfmpegArguments.For(settings).ToArray();
            arguments[Array.IndexOf(arguments, "pipe:0")] = file;
            var output = new ReadOnlySequence<byte>(await FfmpegProbe.GenerateAsync(arguments[..^1]));
            var pictures = new List<EncodedPicture>();
            while (MultipartPacketParser.TryReadPacket(ref output, out var packet))
            {
                pictures.Add(EncodedPicture.Parse(packet));
            }

            return pictures;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
