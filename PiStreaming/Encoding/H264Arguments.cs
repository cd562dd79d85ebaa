using System.Globalization;

namespace PiStreaming.Encoding;

/// <summary>
/// The H.264 encoder's command line: raw I420 in on stdin, one access unit per multipart packet out on
/// stdout (annex-B, as the muxer needs no global header). Constrained baseline profile, which every
/// browser decodes; no B pictures, so every picture leaves the encoder as soon as it is made; an IDR
/// picture every <see cref="H264Settings.IntraPeriod"/> pictures with SPS and PPS in front of it.
/// </summary>
internal static class H264Arguments
{
    public static IReadOnlyList<string> For(EncoderSettings settings, H264Settings h264)
    {
        var arguments = FfmpegArguments.RawFramesIn(settings, h264.FrameRate.ToString("0.###", CultureInfo.InvariantCulture));
        arguments.AddRange(FfmpegArguments.Filters(FfmpegArguments.FlipFilters(settings)));
        var bitrate = h264.BitrateKbps.ToString(CultureInfo.InvariantCulture) + "k";
        var period = h264.IntraPeriod.ToString(CultureInfo.InvariantCulture);
        if (h264.Encoder == H264EncoderKind.V4l2m2m)
        {
            // The Pi's encoder writes SPS and PPS only once; the server puts them in front of every IDR picture (H264ParameterSets).
            arguments.AddRange(["-c:v", "h264_v4l2m2m", "-b:v", bitrate, "-g", period, "-bf", "0"]);
        }
        else
        {
            arguments.AddRange(
            [
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline",
                "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", HalfSecond(h264.BitrateKbps),
                "-g", period, "-keyint_min", period, "-sc_threshold", "0", "-bf", "0",
                // SPS and PPS before every IDR picture, an access unit delimiter before every picture.
                "-x264-params", "repeat-headers=1:aud=1",
            ]);
        }

        // Camera frames are BT.601 video range, as MPEG-1 and jsmpg.js assume: said in the stream, browsers
        // convert H.264 to RGB the same way (untagged, Chromium assumes BT.709 and shifts every colour).
        arguments.AddRange(["-colorspace", "smpte170m", "-color_primaries", "smpte170m", "-color_trc", "smpte170m", "-color_range", "tv"]);
        arguments.AddRange(FfmpegArguments.PacketsOut);
        return arguments;
    }

    // The encoder's buffer: half a second of video, so no picture is much larger than the average.
    private static string HalfSecond(int kbps) => Math.Max(1, kbps / 2).ToString(CultureInfo.InvariantCulture) + "k";
}
