namespace PiStreaming.Sources;

/// <summary>
/// A machine-readable stamp in test pattern frames, so a viewer can tell which frame it shows and
/// when the server produced it: 48 bits as black/white 16x16 blocks (one macroblock each, so MPEG-1
/// keeps them flat) in the bottom macroblock rows, left to right, then the next row, most significant
/// bit first:
/// <list type="bullet">
/// <item>16 bits: frame number, modulo 65536;</item>
/// <item>24 bits: wall-clock time the frame was produced, Unix milliseconds modulo 2^24 (4.6 hours), so a
/// viewer on the same machine can compute glass-to-glass latency from its own clock;</item>
/// <item>8 bits: CRC-8 (polynomial 0x07) of the 5 bytes above, so misread stamps are rejected.</item>
/// </list>
/// The stamp's area has neutral chroma, so it reads the same from luma or from RGB.
/// </summary>
internal readonly record struct FrameStamp(long FrameNumber, long ProducedAtUnixMilliseconds)
{
    public const int BlockSize = 16;
    public const int Bits = 48;
    public const byte Black = 16;
    public const byte White = 235;
    private const byte NeutralChroma = 128;

    /// <summary>The 48 bits: frame (16) | time (24) | CRC-8 (8).</summary>
    public ulong Code
    {
        get
        {
            var payload = (ulong)(FrameNumber & 0xFFFF) << 24 | (ulong)(ProducedAtUnixMilliseconds & 0xFFFFFF);
            Span<byte> bytes = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, payload);
            return payload << 8 | Crc8(bytes[3..]);
        }
    }

    /// <summary>Whether the stamp fits in the bottom half of frames of this size.</summary>
    public static bool Fits(FrameFormat format) => format.Width >= BlockSize && Rows(format) * BlockSize <= format.Height / 2;

    /// <summary>How many macroblock rows the stamp takes at this width.</summary>
    public static int Rows(FrameFormat format) => (Bits + BlocksPerRow(format) - 1) / Math.Max(BlocksPerRow(format), 1);

    /// <summary>The first pixel row of the stamp: macroblock-aligned, at the bottom.</summary>
    public static int Top(FrameFormat format) => (format.Height / BlockSize - Rows(format)) * BlockSize;

    public void Paint(Span<byte> frame, FrameFormat format)
    {
        if (!Fits(format))
        {
            return;
        }

        var top = Top(format);
        var code = Code;
        var perRow = BlocksPerRow(format);
        var luma = frame[..format.LumaSize];
        for (var bit = 0; bit < Bits; bit++)
        {
            var value = (code >> (Bits - 1 - bit) & 1) == 1 ? White : Black;
            var left = bit % perRow * BlockSize;
            var blockTop = top + bit / perRow * BlockSize;
            for (var y = blockTop; y < blockTop + BlockSize; y++)
            {
                luma.Slice(y * format.Width + left, BlockSize).Fill(value);
            }
        }

        // Grey under the whole stamp band, so colour never tints the blocks.
        var chromaRows = Rows(format) * BlockSize / 2;
        var chromaWidth = format.Width / 2;
        var chroma = frame[format.LumaSize..];
        for (var plane = 0; plane < 2; plane++)
        {
            chroma.Slice(plane * format.ChromaSize + top / 2 * chromaWidth, chromaRows * chromaWidth).Fill(NeutralChroma);
        }
    }

    private static int BlocksPerRow(FrameFormat format) => format.Width / BlockSize;

    /// <summary>CRC-8, polynomial x^8+x^2+x+1, initial value 0 (CRC-8/SMBus).</summary>
    public static byte Crc8(ReadOnlySpan<byte> bytes)
    {
        var crc = 0;
        foreach (var value in bytes)
        {
            crc ^= value;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (crc << 1 ^ 0x07) & 0xFF : crc << 1 & 0xFF;
            }
        }

        return (byte)crc;
    }
}
