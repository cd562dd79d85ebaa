namespace PiStreaming.Encoding;

/// <summary>
/// Takes an H.264 stream that arrives one access unit per WebSocket message (another PiStreaming server's
/// /video.h264) back into access units. Passing on starts at the first IDR picture with SPS and PPS (the
/// origin's join cache starts there); every later IDR picture gets them in front if it came without
/// (<see cref="H264ParameterSets"/>), so each one is a join point for the relay's own viewers.
/// </summary>
internal sealed class H264MessageSplitter : IPictureSplitter
{
    /// <summary>No access unit is larger (a 1080p IDR picture at 20 Mbit/s is well below).</summary>
    public const int MaxUnitBytes = 8 * 1024 * 1024;

    private readonly H264ParameterSets parameterSets = new();
    private byte[] buffer = new byte[64 * 1024];
    private int length;

    public bool Started { get; private set; }

    /// <summary>Always null: the WebSocket's h264 header gives the size.</summary>
    public FrameFormat? Format => null;

    /// <summary>The rate the first SPS states (null when it states none).</summary>
    public double? FrameRate { get; private set; }

    public void Append(ReadOnlySpan<byte> data, bool endOfMessage, List<EncodedPicture> completed)
    {
        if (length + data.Length > buffer.Length)
        {
            if (length + data.Length > MaxUnitBytes)
            {
                throw new InvalidDataException(
                    $"a message larger than {MaxUnitBytes / 1024 / 1024} MiB: not a PiStreaming H.264 stream");
            }

            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + data.Length));
        }

        data.CopyTo(buffer.AsSpan(length));
        length += data.Length;
        if (!endOfMessage || length == 0)
        {
            return;
        }

        var unit = parameterSets.Complete(H264AccessUnit.Parse(buffer.AsSpan(0, length).ToArray()));
        length = 0;
        if (unit.Type == PictureType.Unknown)
        {
            throw new InvalidDataException("a message without an H.264 picture: not a PiStreaming H.264 stream");
        }

        if (!Started)
        {
            if (!unit.IsJoinPoint)
            {
                return; // nothing can be decoded before it
            }

            Started = true;
            FrameRate = H264FrameRate.Read(parameterSets.LatestSequence);
        }

        completed.Add(unit);
    }
}
