using PiStreaming.Sources;

namespace PiStreaming.Tests.Support;

/// <summary>Reads a <see cref="FrameStamp"/> back from a luma plane, as picture-probe.js does in the browser.</summary>
internal static class FrameStampReader
{
    public readonly record struct Stamp(int Frame, int Time24);

    /// <returns>null when the stamp does not fit this size or fails its CRC.</returns>
    public static Stamp? Read(ReadOnlySpan<byte> luma, FrameFormat format)
    {
        if (!FrameStamp.Fits(format))
        {
            return null;
        }

        var perRow = format.Width / FrameStamp.BlockSize;
        var top = FrameStamp.Top(format);
        Span<byte> bytes = stackalloc byte[6];
        bytes.Clear();
        for (var bit = 0; bit < FrameStamp.Bits; bit++)
        {
            var x = bit % perRow * FrameStamp.BlockSize + FrameStamp.BlockSize / 2;
            var y = top + bit / perRow * FrameStamp.BlockSize + FrameStamp.BlockSize / 2;
            if (luma[y * format.Width + x] > 128)
            {
                bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
        }

        if (FrameStamp.Crc8(bytes[..5]) != bytes[5])
        {
            return null;
        }

        return new Stamp(bytes[0] << 8 | bytes[1], bytes[2] << 16 | bytes[3] << 8 | bytes[4]);
    }
}
