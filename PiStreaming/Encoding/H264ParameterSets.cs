namespace PiStreaming.Encoding;

/// <summary>
/// Makes every IDR picture a join point: remembers the stream's latest SPS and PPS and puts them in front
/// of an IDR picture that comes without them (the Pi's hardware encoder and many webcams write them only once; libx264 and
/// rpicam-vid --inline repeat them already, and those pictures pass unchanged).
/// </summary>
internal sealed class H264ParameterSets
{
    private byte[]? sequence;
    private byte[]? picture;

    /// <summary>The latest SPS NAL unit seen, without its start code; empty before the first.</summary>
    public ReadOnlySpan<byte> LatestSequence => sequence is null ? [] : sequence.AsSpan(StartCode.Length);

    public EncodedPicture Complete(EncodedPicture unit)
    {
        var data = unit.Data.Span;
        foreach (var (start, length) in H264AccessUnit.NalUnits(data))
        {
            switch (data[start] & 0x1F)
            {
                case H264AccessUnit.SequenceParameterSet:
                    sequence = WithStartCode(data.Slice(start, length));
                    break;
                case H264AccessUnit.PictureParameterSet:
                    picture = WithStartCode(data.Slice(start, length));
                    break;
            }
        }

        if (unit.Type != PictureType.I || unit.HasSequenceHeader || sequence is null || picture is null)
        {
            return unit;
        }

        // An access unit delimiter stays first.
        var units = H264AccessUnit.NalUnits(data);
        var at = units.Count > 0 && (data[units[0].Start] & 0x1F) == H264AccessUnit.AccessUnitDelimiter ? units[0].Start + units[0].Length : 0;
        return H264AccessUnit.Parse((byte[])[.. data[..at], .. sequence, .. picture, .. data[at..]], unit.FrameReadAt);
    }

    private static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    private static byte[] WithStartCode(ReadOnlySpan<byte> nal) => [.. StartCode, .. nal];
}
