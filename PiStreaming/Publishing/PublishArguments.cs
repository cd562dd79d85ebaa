using System.Globalization;

namespace PiStreaming.Publishing;

/// <summary>The encoded stream a publisher pushes.</summary>
internal enum PublishedCodec
{
    Mpeg1,
    H264,
}

/// <summary>
/// The publishing ffmpeg's command line: the encoded stream in on stdin, copied (never re-encoded) into the
/// target's container and pushed to the media server.
/// </summary>
internal static class PublishArguments
{
    /// <param name="codec">what comes in: an MPEG-1 elementary stream, or H.264 access units (Annex B).</param>
    /// <param name="frameRate">the stream's rate: pictures get timestamps at this pace.</param>
    public static IReadOnlyList<string> For(PublishTarget target, PublishedCodec codec, double frameRate) =>
    [
        "-hide_banner", "-nostats", "-loglevel", "warning",
        // Timestamps from the rate (a raw stream has none). ffmpeg reads the first pictures to learn the size and
        // codec the container must announce; after that each picture goes out as it comes in.
        "-fflags", "+genpts",
        "-f", codec == PublishedCodec.H264 ? "h264" : "mpegvideo", "-framerate", frameRate.ToString("0.###", CultureInfo.InvariantCulture), "-i", "pipe:0",
        "-map", "0:v", "-c", "copy",
        .. Output(target),
    ];

    private static IEnumerable<string> Output(PublishTarget target) => target.Format switch
    {
        PublishFormat.Flv => ["-f", "flv", target.Address.ToString()],
        PublishFormat.Rtsp => ["-f", "rtsp", "-rtsp_transport", "tcp", target.Address.ToString()],
        // Small packets go out at once: one picture should not wait for the next to fill a datagram.
        _ => ["-f", "mpegts", "-flush_packets", "1", target.Address.ToString()],
    };
}
