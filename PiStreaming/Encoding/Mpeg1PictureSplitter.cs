namespace PiStreaming.Encoding;

/// <summary>
/// Cuts an MPEG-1 elementary stream, arriving in pieces of any size (WebSocket messages, HTTP reads),
/// back into pictures, each with the sequence and GOP headers in front of it. A picture is complete when
/// the start code of whatever follows it arrives (the next picture, sequence or GOP header). A
/// PiStreaming origin in low-latency mode sends that start code together with the picture, so cutting
/// here adds no delay; from an origin in classic mode a picture is complete one picture later.
/// <para>
/// Viewers already watching get I pictures without the sequence header in front (one is all MPEG-1
/// needs); the relay puts the latest one back, so every I picture it passes on is a join point again.
/// </para>
/// </summary>
internal sealed class Mpeg1PictureSplitter : IPictureSplitter
{
    /// <summary>More than this without a picture boundary is not an MPEG-1 stream from a PiStreaming origin.</summary>
    public const int MaxPictureBytes = 4 * 1024 * 1024;

    private const byte PictureCode = 0x00;
    private const byte SequenceHeaderCode = 0xB3;
    private const byte GroupCode = 0xB8;
    private const byte SequenceEndCode = 0xB7;

    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private int scanned;
    private int pictureStart = -1;
    private byte[]? headers;

    /// <summary>The stream's latest sequence header, once one has arrived.</summary>
    public SequenceHeader? Sequence { get; private set; }

    bool IPictureSplitter.Started => Sequence is not null;

    FrameFormat? IPictureSplitter.Format => Sequence?.Format;

    double? IPictureSplitter.FrameRate => Sequence?.FrameRate;

    // Message boundaries mean nothing here: the pictures are found from their start codes.
    void IPictureSplitter.Append(ReadOnlySpan<byte> data, bool endOfMessage, List<EncodedPicture> completed) => Append(data, completed);

    /// <summary>Adds the next bytes of the stream and appends every picture they complete to <paramref name="completed"/>.</summary>
    /// <exception cref="InvalidDataException">the bytes are not an MPEG-1 stream.</exception>
    public void Append(ReadOnlySpan<byte> data, List<EncodedPicture> completed)
    {
        if (length + data.Length > buffer.Length)
        {
            if (length + data.Length > MaxPictureBytes)
            {
                throw new InvalidDataException($"no MPEG-1 picture boundary within {MaxPictureBytes / 1024 / 1024} MiB: not a PiStreaming video stream");
            }

            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + data.Length));
        }

        data.CopyTo(buffer.AsSpan(length));
        length += data.Length;
        var at = scanned;
        while (true)
        {
            var found = buffer.AsSpan(at, length - at).IndexOf(StartCodePrefix);
            if (found < 0)
            {
                // A start code may be split over two pieces: look at the last two bytes again next time.
                scanned = Math.Max(at, length - 2);
                return;
            }

            var code = at + found;
            if (code + 3 >= length)
            {
                scanned = code;
                return;
            }

            var kind = buffer[code + 3];
            if (kind is PictureCode or SequenceHeaderCode or GroupCode or SequenceEndCode)
            {
                if (pictureStart >= 0)
                {
                    Emit(code, completed);
                    code = 0;
                }

                if (kind == PictureCode)
                {
                    pictureStart = code;
                }
            }

            at = code + 3;
        }
    }

    // The bytes before `end` are one whole picture (headers in front): hand it on and keep the rest.
    private void Emit(int end, List<EncodedPicture> completed)
    {
        var data = buffer.AsSpan(0, end);
        var picture = EncodedPicture.Parse(data.ToArray());
        if (picture.HasSequenceHeader)
        {
            var ownStart = pictureStart;
            headers = data[..ownStart].ToArray();
            Sequence = SequenceHeader.Find(headers) ?? Sequence;
        }
        else if (picture.Type == PictureType.I && headers is not null)
        {
            picture = EncodedPicture.Parse((byte[])[.. headers, .. data]);
        }

        // Pictures before the first sequence header cannot be decoded by anyone.
        if (headers is not null)
        {
            completed.Add(picture);
        }

        buffer.AsSpan(end, length - end).CopyTo(buffer);
        length -= end;
        scanned = 0;
        pictureStart = -1;
    }

    private static ReadOnlySpan<byte> StartCodePrefix => [0x00, 0x00, 0x01];
}
