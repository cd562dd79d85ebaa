using PiStreaming.Options;
using PiStreaming.Sources;

namespace PiStreaming.Encoding;

/// <summary>What the encoder needs to know; built from the server options.</summary>
internal sealed record EncoderSettings(
    FrameFormat Format,
    Mpeg1FrameRate FrameRate,
    int BitrateKbps,
    bool HorizontalFlip = false,
    bool VerticalFlip = false,
    string FfmpegPath = "ffmpeg",
    bool LowDelay = true)
{
    /// <param name="sourceFlips">the camera already flips its frames, so the encoder must not flip them again.</param>
    public static EncoderSettings From(ServerOptions options, string ffmpegPath, bool sourceFlips = false) =>
        new(new FrameFormat(options.Width, options.Height), options.CodedFrameRate, options.BitrateKbps,
            options.HorizontalFlip && !sourceFlips, options.VerticalFlip && !sourceFlips, ffmpegPath, options.Latency == LatencyMode.Low);
}
