namespace PiStreaming.Sources;

/// <summary>
/// Cuts an annex-B H.264 byte stream (rpicam-vid --codec h264, or a webcam's H.264 copied by ffmpeg) into access units, one picture each. A
/// picture is known to be whole when the next one begins: at an access unit delimiter, SPS, PPS or SEI,
/// or at a slice that starts a picture (first_mb_in_slice 0) after a slice. So each picture is handed on
/// when the next one arrives, one frame interval after it was written.
/// </summary>
internal sealed class AccessUnitReader(Stream input) : IFrameReader
{
    /// <summary>No picture is larger (a 1080p IDR picture at 20 Mbit/s is well below); more without a boundary is not H.264.</summary>
    public const int MaxUnitBytes = 8 * 1024 * 1024;

    private const int ReadSize = 64 * 1024;

    private byte[] buffer = new byte[256 * 1024];
    private int filled;
    private int scanned;
    private bool unitHasSlice;
    private bool ended;

    public int TornFrameBytes { get; private set; }

    public long FramesRead { get; private set; }

    /// <exception cref="InvalidDataException">the stream is not H.264 (no picture boundary within <see cref="MaxUnitBytes"/>).</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryCut(out var unit))
            {
                FramesRead++;
                return unit;
            }

            if (ended)
            {
                TornFrameBytes = filled;
                return null;
            }

            if (filled + ReadSize > buffer.Length)
            {
                if (filled + ReadSize > MaxUnitBytes)
                {
                    throw new InvalidDataException($"no H.264 picture boundary in {MaxUnitBytes / (1024 * 1024)} MiB: the camera's output is not H.264");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await input.ReadAsync(buffer.AsMemory(filled, ReadSize), cancellationToken);
            ended = read == 0;
            filled += read;
        }
    }

    // Takes the first whole access unit off the buffer, if the start of the next one is already there.
    private bool TryCut(out ReadOnlyMemory<byte> unit)
    {
        unit = default;
        // A start code is 00 00 01; the NAL header and the first slice header byte follow it.
        for (var i = scanned; i + 4 < filled; i++)
        {
            if (buffer[i] != 0 || buffer[i + 1] != 0 || buffer[i + 2] != 1)
            {
                continue;
            }

            var type = buffer[i + 3] & 0x1F;
            var isSlice = type is Core.H264AccessUnit.NonIdrSlice or Core.H264AccessUnit.IdrSlice;
            var startsPicture = isSlice ? (buffer[i + 4] & 0x80) != 0 : type is 6 or 7 or 8 or 9 or (>= 14 and <= 18);
            if (unitHasSlice && startsPicture)
            {
                var end = i > 0 && buffer[i - 1] == 0 ? i - 1 : i;
                unit = buffer.AsSpan(0, end).ToArray();
                Array.Copy(buffer, end, buffer, 0, filled - end);
                filled -= end;
                scanned = 0;
                unitHasSlice = false;
                return true;
            }

            unitHasSlice |= isSlice;
            scanned = i + 3;
        }

        scanned = Math.Max(scanned, Math.Max(0, filled - 4));
        return false;
    }
}
