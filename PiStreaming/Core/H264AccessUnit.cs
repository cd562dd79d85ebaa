namespace PiStreaming.Core;

/// <summary>
/// Reads an H.264 access unit (one picture in annex-B form: NAL units behind 00 00 01 start codes) as an
/// <see cref="EncodedPicture"/>: an IDR picture is <see cref="PictureType.I"/>, any other picture
/// <see cref="PictureType.P"/> (streams here have no B pictures), and SPS plus PPS count as its sequence
/// header. A decoder can start only at an IDR picture with both in front: nothing after it refers back.
/// </summary>
internal static class H264AccessUnit
{
    public const int NonIdrSlice = 1;
    public const int IdrSlice = 5;
    public const int SequenceParameterSet = 7;
    public const int PictureParameterSet = 8;
    public const int AccessUnitDelimiter = 9;

    /// <param name="frameReadAt">see <see cref="EncodedPicture.FrameReadAt"/>.</param>
    public static EncodedPicture Parse(ReadOnlyMemory<byte> data, long frameReadAt = 0)
    {
        bool sps = false, pps = false, idr = false, slice = false;
        foreach (var type in NalTypes(data.Span))
        {
            switch (type)
            {
                case SequenceParameterSet:
                    sps = true;
                    break;
                case PictureParameterSet:
                    pps = true;
                    break;
                case IdrSlice:
                    idr = slice = true;
                    break;
                case NonIdrSlice:
                    slice = true;
                    break;
            }
        }

        var pictureType = idr ? PictureType.I : slice ? PictureType.P : PictureType.Unknown;
        return new EncodedPicture(data, pictureType, sps && pps) { FrameReadAt = frameReadAt };
    }

    /// <summary>The nal_unit_type of every NAL unit in <paramref name="data"/>, in order.</summary>
    public static List<int> NalTypes(ReadOnlySpan<byte> data)
    {
        var types = new List<int>();
        foreach (var (start, _) in NalUnits(data))
        {
            types.Add(data[start] & 0x1F);
        }

        return types;
    }

    /// <summary>Where each NAL unit's bytes (after its start code) begin, and how many there are.</summary>
    public static List<(int Start, int Length)> NalUnits(ReadOnlySpan<byte> data)
    {
        var units = new List<(int Start, int Length)>();
        var start = NextStart(data, 0);
        while (start >= 0 && start < data.Length)
        {
            var next = NextStart(data, start);
            var end = next < 0 ? data.Length : StartCodeBegin(data, next);
            units.Add((start, end - start));
            start = next;
        }

        return units;
    }

    // The index just after the next 00 00 01 at or after `from`, or -1.
    private static int NextStart(ReadOnlySpan<byte> data, int from)
    {
        for (var i = from; i + 2 < data.Length; i++)
        {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
            {
                return i + 3;
            }
        }

        return -1;
    }

    // A 4-byte start code (00 00 00 01) belongs to the NAL unit after it, not to the one before.
    private static int StartCodeBegin(ReadOnlySpan<byte> data, int afterStartCode) =>
        afterStartCode >= 4 && data[afterStartCode - 4] == 0 ? afterStartCode - 4 : afterStartCode - 3;
}
