namespace PiStreaming.Core;

internal enum PictureType
{
    Unknown = 0,
    I = 1,
    P = 2,
    B = 3,
}

/// <summary>
/// One MPEG-1 picture as the encoder wrote it, with the sequence and GOP headers that precede it
/// (ffmpeg writes them before every I picture). This is the unit everything downstream works with.
/// </summary>
internal sealed record EncodedPicture(ReadOnlyMemory<byte> Data, PictureType Type, bool HasSequenceHeader)
{
    private const byte PictureStartCode = 0x00;
    private const byte SequenceHeaderCode = 0xB3;

    /// <summary>
    /// When the server had read the camera frame this picture was encoded from (a <see cref="TimeProvider"/>
    /// timestamp); 0 when unknown. The picture's age when sent is the server's share of the latency.
    /// </summary>
    public long FrameReadAt { get; init; }

    /// <summary>Reads the picture type and header presence from the start codes in <paramref name="data"/>.</summary>
    public static EncodedPicture Parse(ReadOnlyMemory<byte> data, long frameReadAt = 0)
    {
        var bytes = data.Span;
        var type = PictureType.Unknown;
        var hasSequenceHeader = false;
        for (var i = 0; i + 5 < bytes.Length; i++)
        {
            if (bytes[i] != 0 || bytes[i + 1] != 0 || bytes[i + 2] != 1)
            {
                continue;
            }

            if (bytes[i + 3] == SequenceHeaderCode)
            {
                hasSequenceHeader = true;
            }
            else if (bytes[i + 3] == PictureStartCode)
            {
                // After the start code: 10 bits temporal reference, then 3 bits picture coding type.
                type = (PictureType)((bytes[i + 5] >> 3) & 0x07);
                break;
            }
        }

        return new EncodedPicture(data, type, hasSequenceHeader) { FrameReadAt = frameReadAt };
    }

    /// <summary>Can a decoder start here? Only at an I picture with its sequence header in front.</summary>
    public bool IsJoinPoint => Type == PictureType.I && HasSequenceHeader;

    public override string ToString() => $"{Type} picture, {Data.Length} bytes{(HasSequenceHeader ? ", with sequence header" : "")}";
}
