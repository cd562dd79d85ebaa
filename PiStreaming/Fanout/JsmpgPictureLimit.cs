using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Options;

namespace PiStreaming.Fanout;

/// <summary>
/// jsmpg.js keeps incoming bytes in a 512 KiB ring: a picture larger than that breaks the video in
/// the browser, and one close to it risks it. I pictures are the big ones. This warns at start-up
/// when the settings make that likely, and again when a real picture comes close.
/// </summary>
internal sealed class JsmpgPictureLimit(ILogger logger)
{
    public const int BufferBytes = 512 * 1024;

    /// <summary>Settings whose estimated largest picture passes this get a start-up warning.</summary>
    public const int EstimateWarningBytes = BufferBytes / 2;

    /// <summary>Real pictures larger than this get a warning while streaming.</summary>
    public const int PictureWarningBytes = BufferBytes * 3 / 4;

    private static readonly TimeSpan RepeatWarningAfter = TimeSpan.FromMinutes(1);
    private long? lastWarningTicks;

    /// <summary>
    /// A rough largest I picture for these settings, from ffmpeg's mpeg1video on noisy pictures:
    /// up to about 8 times the average picture (bitrate / frame rate), but never much more than
    /// half a byte per pixel (the finest quantiser).
    /// </summary>
    public static int EstimateLargestPicture(ServerOptions options)
    {
        var byBitrate = 8 * options.BitrateKbps * 1000 / 8.0 / options.FrameRate;
        var byPixels = options.Width * options.Height * 0.5;
        return (int)Math.Min(byBitrate, byPixels);
    }

    /// <summary>The start-up warning, or null when the settings are comfortably inside the limit.</summary>
    public static string? StartupWarning(ServerOptions options)
    {
        var estimate = EstimateLargestPicture(options);
        if (estimate <= EstimateWarningBytes)
        {
            return null;
        }

        var safeBitrate = (int)(EstimateWarningBytes * options.FrameRate / 1000) / 100 * 100;
        var lower = safeBitrate >= 50 ? $"lower --bitrate (to about {safeBitrate} or less) or the picture size" : "lower the picture size";
        return $"at {options.Width}x{options.Height} and {options.BitrateKbps} kbit/s an I picture can reach about {estimate / 1024} KiB, "
            + $"close to the {BufferBytes / 1024} KiB that jsmpg.js buffers in the browser: {lower}";
    }

    /// <summary>Warns (at most once a minute) when a picture is close to or over the browser's limit.</summary>
    public void Check(EncodedPicture picture)
    {
        var size = picture.Data.Length;
        var now = Environment.TickCount64;
        if (size <= PictureWarningBytes || now - lastWarningTicks < RepeatWarningAfter.TotalMilliseconds)
        {
            return;
        }

        lastWarningTicks = now;
        var verdict = size > BufferBytes ? "larger than" : "close to";
        logger.LogWarning("an encoded picture of {Size} KiB is {Verdict} the {Limit} KiB that jsmpg.js buffers, so browsers may show broken video: "
            + "lower --bitrate or --width/--height", size / 1024, verdict, BufferBytes / 1024);
    }
}
