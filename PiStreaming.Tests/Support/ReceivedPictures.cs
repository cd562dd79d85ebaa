using PiStreaming.Encoding;

namespace PiStreaming.Tests.Support;

/// <summary>Reads what a viewer received: which picture each WebSocket message carries.</summary>
internal static class ReceivedPictures
{
    /// <param name="IsWhole">the message holds the picture as encoded, with its start code (and headers before an I picture).</param>
    public readonly record struct Picture(PictureType Type, int TemporalReference, bool HasSequenceHeader, bool IsWhole);

    private static readonly byte[] PictureStartCode = [0, 0, 1, 0];

    /// <summary>
    /// The picture a message carries, or null for a message that is only the next picture's start code.
    /// A whole picture starts with a start code; in low-latency mode a later message starts right after
    /// its picture's start code, with the 10-bit temporal reference and the 3-bit picture type.
    /// </summary>
    public static Picture? Describe(byte[] message)
    {
        if (message.Length <= PictureStartCode.Length)
        {
            return null;
        }

        if (message.AsSpan(0, 3).SequenceEqual(PictureStartCode.AsSpan(0, 3)))
        {
            var start = message.AsSpan().IndexOf(PictureStartCode);
            var parsed = EncodedPicture.Parse(message);
            return new Picture(parsed.Type, TemporalReference(message.AsSpan(start + 4)), parsed.HasSequenceHeader, IsWhole: true);
        }

        return new Picture((PictureType)((message[1] >> 3) & 0x07), TemporalReference(message), HasSequenceHeader: false, IsWhole: false);
    }

    /// <summary>The pictures of a viewer's messages after the jsmp header, start-code-only messages left out.</summary>
    public static List<Picture> DescribeAll(IEnumerable<byte[]> videoMessages) =>
        videoMessages.Select(Describe).OfType<Picture>().ToList();

    /// <summary>
    /// Indexes where the stream does not simply go on: the temporal reference neither counts up by one
    /// nor restarts at an I picture after the end of a GOP.
    /// </summary>
    public static List<int> Gaps(IReadOnlyList<Picture> pictures, int gopLength = 12) =>
        Enumerable.Range(1, Math.Max(0, pictures.Count - 1))
            .Where(i =>
            {
                var (previous, next) = (pictures[i - 1], pictures[i]);
                var follows = next.TemporalReference == previous.TemporalReference + 1
                    || (next.Type == PictureType.I && next.TemporalReference == 0 && previous.TemporalReference == gopLength - 1);
                return !follows;
            })
            .ToList();

    private static int TemporalReference(ReadOnlySpan<byte> afterStartCode) => (afterStartCode[0] << 2) | (afterStartCode[1] >> 6);
}
