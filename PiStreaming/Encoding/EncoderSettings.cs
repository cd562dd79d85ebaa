using PiStreaming.Options;
using PiStreaming.Sources;

namespace PiStreaming.Encoding;

/// <summary>What the encoder needs to know; built from the server options.</summary>
public sealed record EncoderSettings(
    FrameFormat Format,
    Mpeg1FrameRate FrameRate,
    int BitrateKbps,
    bool HorizontalFlip = false,
    bool VerticalFlip = false,
    string FfmpegPath = "ffmpeg",
    bool LowDelay = true)
{
    public static EncoderSettings From(ServerOptions options, string ffmpegPath) =>
        new(new FrameFormat(options.Width, options.Height), options.CodedFrameRate, options.BitrateKbps,
            options.HorizontalFlip, options.VerticalFlip, ffmpegPath, options.Latency == LatencyMode.Low);
}
