using PiStreaming.Encoding;

namespace PiStreaming.Relay;

/// <summary>Which of an origin's two video streams a connection carries.</summary>
internal enum OriginCodec
{
    /// <summary>MPEG-1: the video WebSocket (/video, or any path on the video port) or /stream.mpg.</summary>
    Mpeg1,

    /// <summary>H.264: the /video.h264 WebSocket, one access unit per message.</summary>
    H264,
}

internal static class OriginCodecExtensions
{
    /// <summary>The stream's name in the log.</summary>
    public static string Name(this OriginCodec codec) => codec == OriginCodec.H264 ? "H.264" : "MPEG-1";

    /// <summary>The first four bytes of the 8-byte header every viewer of the stream's WebSocket gets.</summary>
    public static ReadOnlySpan<byte> HeaderMagic(this OriginCodec codec) => codec == OriginCodec.H264 ? "h264"u8 : "jsmp"u8;

    public static IPictureSplitter CreateSplitter(this OriginCodec codec) =>
        codec == OriginCodec.H264 ? new H264MessageSplitter() : new Mpeg1PictureSplitter();

    /// <summary>
    /// Where the origin offers each stream, from the address given with relay:URL: a WebSocket address names
    /// both (the H.264 one is /video.h264 on the same port, on the page port as on the video port; credentials
    /// and query stay), /stream.mpg names the MPEG-1 stream only.
    /// </summary>
    public static (Uri Mpeg1, Uri? H264) Addresses(Uri given)
    {
        // The origin's paths, as its Web/IndexPage names them.
        const string h264Path = "/video.h264", mpeg1Path = "/video";
        return given.Scheme is "ws" or "wss"
            ? (new UriBuilder(given) { Path = given.AbsolutePath == h264Path ? mpeg1Path : given.AbsolutePath }.Uri, new UriBuilder(given) { Path = h264Path }.Uri)
            : (given, null);
    }
}
