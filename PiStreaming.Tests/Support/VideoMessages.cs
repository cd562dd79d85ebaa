namespace PiStreaming.Tests.Support;

/// <summary>What a viewer's messages hold, whichever latency mode framed them.</summary>
internal static class VideoMessages
{
    /// <summary>
    /// Pictures in a run of video messages. In low-latency mode a viewer's first picture is followed
    /// by a message holding only the next picture's 4-byte start code, which is no picture of its own.
    /// </summary>
    public static int PictureCount(IEnumerable<byte[]> messages) => messages.Count(m => m.Length > 4);
}
