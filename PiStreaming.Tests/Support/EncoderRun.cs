using Microsoft.Extensions.Logging.Abstractions;
using PiStreaming.Encoding;
using PiStreaming.Processes;

namespace PiStreaming.Tests.Support;

/// <summary>Feeds frames through the server's real encoder and collects every picture it writes.</summary>
internal static class EncoderRun
{
    public static async Task<List<EncodedPicture>> EncodeAsync(EncoderSettings settings, IEnumerable<byte[]> frames)
    {
        settings = settings with { FfmpegPath = ExecutableLocator.Find("ffmpeg") ?? "ffmpeg" };
        await using var encoder = FfmpegEncoder.Start(settings, NullLogger.Instance);
        var pictures = new List<EncodedPicture>();
        var reading = Task.Run(async () =>
        {
            await foreach (var picture in encoder.ReadPicturesAsync(CancellationToken.None))
            {
                pictures.Add(picture);
            }
        });

        foreach (var frame in frames)
        {
            await encoder.WriteFrameAsync(frame, CancellationToken.None);
        }

        await encoder.CompleteAsync(TimeSpan.FromSeconds(10));
        await reading;
        return pictures;
    }
}
