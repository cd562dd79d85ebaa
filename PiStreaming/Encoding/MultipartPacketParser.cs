using System.Buffers;
using System.Buffers.Text;

namespace PiStreaming.Encoding;

/// <summary>
/// Splits ffmpeg's "mpjpeg" output into packets. ffmpeg's raw mpeg1video output has no framing,
/// and finding where a picture ends from start codes means waiting for the next picture (one frame
/// of latency); the multipart muxer instead writes every encoded packet, i.e. exactly one picture,
/// behind a Content-length header the moment it is encoded. The payload is MPEG-1 despite the
/// muxer's name.
/// </summary>
internal static class MultipartPacketParser
{
    private static ReadOnlySpan<byte> ContentLength => "Content-length:"u8;
    private static ReadOnlySpan<byte> LineEnd => "\r\n"u8;
    private const int MaxHeaderBytes = 1024;

    /// <summary>
    /// Takes one whole packet off the front of <paramref name="buffer"/> if it holds one; otherwise
    /// leaves it as it is so the caller can append more bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">the bytes are not ffmpeg multipart output.</exception>
    public static bool TryReadPacket(ref ReadOnlySequence<byte> buffer, out byte[] packet)
    {
        packet = [];
        var reader = new SequenceReader<byte>(buffer);
        long? length = null;
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, LineEnd))
            {
                if (reader.Consumed + reader.Remaining > MaxHeaderBytes && length is null)
                {
                    throw new InvalidDataException("encoder output is not multipart: no packet header within 1 KiB");
                }

                return false;
            }

            if (line.IsEmpty)
            {
                if (length is not null)
                {
                    break;
                }

                continue; // the blank line that ends the previous packet
            }

            var text = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
            if (text.StartsWith(ContentLength))
            {
                var digits = text[ContentLength.Length..].Trim((byte)' ');
                if (!Utf8Parser.TryParse(digits, out long value, out var used) || used != digits.Length || value < 0)
                {
                    throw new InvalidDataException("encoder output has a bad Content-length line");
                }

                length = value;
            }
        }

        if (reader.Remaining < length.Value)
        {
            return false;
        }

        packet = reader.UnreadSequence.Slice(0, length.Value).ToArray();
        reader.Advance(length.Value);
        buffer = buffer.Slice(reader.Position);
        return true;
    }
}
