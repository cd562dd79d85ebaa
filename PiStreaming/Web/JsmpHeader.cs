using System.Buffers.Binary;
using PiStreaming.Sources;

namespace PiStreaming.Web;

/// <summary>
/// The 8 bytes every viewer gets first: ASCII "jsmp", then width and height as big-endian uint16.
/// jsmpg.js sizes its picture buffers from this alone, so it must match the encoded size.
/// </summary>
internal static class JsmpHeader
{
    public const int Length = 8;

    public static byte[] Create(FrameFormat format)
    {
        var header = new byte[Length];
        "jsmp"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), checked((ushort)format.Width));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), checked((ushort)format.Height));
        return header;
    }
}
