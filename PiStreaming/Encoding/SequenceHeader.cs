namespace PiStreaming.Encoding;

/// <summary>What an MPEG-1 sequence header says about the stream: its picture size and coded frame rate.</summary>
internal sealed record SequenceHeader(FrameFormat Format, double FrameRate)
{
    private static readonly double[] Rates = [0, 24000 / 1001.0, 24, 25, 30000 / 1001.0, 30, 50, 60000 / 1001.0, 60];

    /// <summary>Reads the first sequence header in <paramref name="data"/>; null when it has none (or a bad one).</summary>
    public static SequenceHeader? Find(ReadOnlySpan<byte> data)
    {
        for (var i = data.IndexOf(StartCode); i >= 0 && i + 8 <= data.Length; i = Next(data, i))
        {
            if (data[i + 3] != 0xB3)
            {
                continue;
            }

            // 12 bits width, 12 bits height, 4 bits aspect ratio, 4 bits frame rate code.
            var width = (data[i + 4] << 4) | (data[i + 5] >> 4);
            var height = ((data[i + 5] & 0x0F) << 8) | data[i + 6];
            var rateCode = data[i + 7] & 0x0F;
            return width > 0 && height > 0 && rateCode is > 0 and < 9 ? new SequenceHeader(new FrameFormat(width, height), Rates[rateCode]) : null;
        }

        return null;
    }

    private static ReadOnlySpan<byte> StartCode => [0x00, 0x00, 0x01];

    private static int Next(ReadOnlySpan<byte> data, int at)
    {
        var next = data[(at + 3)..].IndexOf(StartCode);
        return next < 0 ? -1 : at + 3 + next;
    }
}
