using Microsoft.Extensions.Logging;
using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>Turns the --source option into a frame source. New sources are added here.</summary>
internal static class FrameSourceFactory
{
    /// <param name="ffmpegPath">the ffmpeg that reads webcams and files.</param>
    /// <param name="webcam">for a webcam: whether its own H.264 is passed through (see <see cref="WebcamInput.Choose"/>); raw frames when null.</param>
    /// <exception cref="FormatException">the source is not one of <see cref="SourceSpec.Syntax"/> (options are validated before this).</exception>
    public static IFrameSource Create(ServerOptions options, ILoggerFactory loggers, string ffmpegPath = "ffmpeg", WebcamInput? webcam = null)
    {
        var format = new FrameFormat(options.Width, options.Height);
        var spec = SourceSpec.Parse(options.Source);
        return spec.Kind switch
        {
            SourceKind.TestPattern => new TestPatternSource(format, options.FrameRate),
            SourceKind.Stdin => new StreamFrameSource("standard input", StdinLayout(format, options.Stride),
                StandardInput.Open(StdinLayout(format, options.Stride).StoredFrameSize), loggers.CreateLogger<StreamFrameSource>()),
            // The camera encodes H.264 itself when that is all that is wanted; otherwise it gives raw frames for every encoder.
            SourceKind.Rpicam => FromProcess(RpicamCommand.Create(options, options.Codec == VideoCodecs.H264 ? options.H264(Encoding.H264EncoderKind.V4l2m2m) : null), loggers),
            SourceKind.V4l2 => FromProcess(webcam is { PassesH264Through: true }
                ? FfmpegDecoderCommand.ForWebcamH264(options, spec.Target!, ffmpegPath)
                : FfmpegDecoderCommand.ForWebcam(options, spec.Target!, ffmpegPath), loggers),
            SourceKind.File => FromProcess(FfmpegDecoderCommand.ForFile(options, spec.Target!, ffmpegPath), loggers),
            SourceKind.Relay => throw new ArgumentException("a relay has no frame source: it relays encoded pictures (StreamingServer.StartRelayAsync)", nameof(options)),
            _ => throw new ArgumentException($"unknown source '{options.Source}' (known: {SourceSpec.Syntax})", nameof(options)),
        };
    }

    // Piped frames are unpadded unless --stride says otherwise (e.g. rpicam-vid piped in by hand).
    private static FrameLayout StdinLayout(FrameFormat format, int? stride) =>
        stride is { } bytes ? new FrameLayout(format, bytes) : FrameLayout.Unpadded(format);

    private static ProcessFrameSource FromProcess(CameraCommand command, ILoggerFactory loggers) =>
        new(command, TimeProvider.System, loggers.CreateLogger<ProcessFrameSource>());
}
