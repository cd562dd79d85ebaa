using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>
/// What the server reads from a webcam: its own H.264, passed through to the H.264 viewers as it is, or
/// raw frames for the server's encoders. The H.264 is taken only when it is all that is wanted
/// (--codec h264, as with the Raspberry Pi camera: MPEG-1 needs raw frames), needs no flipping (that
/// would mean decoding and encoding again) and is offered at exactly the size asked.
/// </summary>
/// <param name="PassesH264Through">read the webcam's H.264 (<see cref="FfmpegDecoderCommand.ForWebcamH264"/>).</param>
/// <param name="Why">a log line saying why, when there is something to say; otherwise null.</param>
internal sealed record WebcamInput(bool PassesH264Through, string? Why)
{
    public static WebcamInput Choose(ServerOptions options, string device, WebcamFormats offered)
    {
        var size = new FrameFormat(options.Width, options.Height);
        var name = $"webcam {device}";
        if (!offered.Offers(WebcamFormats.H264, size))
        {
            return new WebcamInput(false, options.Codec != VideoCodecs.H264 ? null
                : offered.Names.Count == 0 ? $"{name}: its formats could not be listed; reading raw frames and encoding H.264"
                : offered.Names.Contains(WebcamFormats.H264)
                    ? $"{name} offers H.264 at {offered.SizesOf(WebcamFormats.H264)}, not at {size}; reading raw frames and encoding H.264"
                    : $"{name} offers no H.264 ({string.Join(", ", offered.Names)}); reading raw frames and encoding H.264");
        }

        if (options.Codec != VideoCodecs.H264)
        {
            return new WebcamInput(false, $"{name} offers H.264 at {size}, but --codec {options.Codec.ToString().ToLowerInvariant()} needs raw frames "
                + "for the MPEG-1 encoder; reading raw frames (--codec h264 passes the webcam's H.264 through)");
        }

        if (options.HorizontalFlip || options.VerticalFlip)
        {
            return new WebcamInput(false, $"{name} offers H.264 at {size}, but flipping it would mean decoding and encoding it again; "
                + "reading raw frames and encoding H.264");
        }

        return new WebcamInput(true, $"{name} offers H.264 at {size}: passing it through as it is (nothing decoded or re-encoded for H.264 viewers)");
    }
}
