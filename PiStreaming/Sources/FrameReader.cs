namespace PiStreaming.Sources;

/// <summary>
/// Reads whole frames of one <see cref="FrameLayout"/> back to back from a stream (a pipe from a
/// camera tool, standard input), cutting off row padding. The returned memory is reused for the
/// next frame.
/// </summary>
internal sealed class FrameReader : IFrameReader
{
    private readonly Stream input;
    private readonly FrameLayout layout;
    private readonly byte[] stored;
    private readonly byte[] frame;

    public FrameReader(Stream input, FrameLayout layout)
    {
        this.input = input;
        this.layout = layout;
        stored = new byte[layout.StoredFrameSize];
        frame = layout.HasPadding ? new byte[layout.Format.FrameSize] : stored;
    }

    /// <summary>How many bytes of an incomplete last frame were thrown away when the stream ended.</summary>
    public int TornFrameBytes { get; private set; }

    /// <summary>Frames read so far.</summary>
    public long FramesRead { get; private set; }

    /// <returns>the next frame, or null when the stream has ended (a torn last frame is dropped).</returns>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        var filled = await input.ReadAtLeastAsync(stored, stored.Length, throwOnEndOfStream: false, cancellationToken);
        if (filled < stored.Length)
        {
            TornFrameBytes = filled;
            return null;
        }

        if (layout.HasPadding)
        {
            layout.RemovePadding(stored, frame);
        }

        FramesRead++;
        return frame;
    }
}
