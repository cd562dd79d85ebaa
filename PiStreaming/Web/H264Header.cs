namespace PiStreaming.Web;

/// <summary>
/// The 8 bytes every H.264 viewer gets first, shaped like the MPEG-1 stream's <see cref="JsmpHeader"/>:
/// ASCII "h264", then width and height as big-endian uint16. One access unit per message follows.
/// </summary>
internal static class H264Header
{
    public static byte[] Create(FrameFormat format)
    {
        var header = JsmpHeader.Create(format);
        "h264"u8.CopyTo(header);
        return header;
    }
}
