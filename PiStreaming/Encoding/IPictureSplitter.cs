namespace PiStreaming.Encoding;

/// <summary>
/// Cuts a stream that another PiStreaming server sends (its MPEG-1 or its H.264 stream) back into whole
/// pictures, as they arrive over the network.
/// </summary>
internal interface IPictureSplitter
{
    /// <summary>True once a picture a viewer can start with has arrived: the stream's headers are known from here on.</summary>
    bool Started { get; }

    /// <summary>The pictures' size, when the stream itself tells it (MPEG-1's sequence header).</summary>
    FrameFormat? Format { get; }

    /// <summary>The stream's frame rate, when the stream tells it.</summary>
    double? FrameRate { get; }

    /// <summary>Adds the next bytes and appends every picture they complete to <paramref name="completed"/>.</summary>
    /// <param name="endOfMessage">the bytes end a WebSocket message (one whole access unit for H.264; meaningless for MPEG-1).</param>
    /// <exception cref="InvalidDataException">the bytes are not the stream expected.</exception>
    void Append(ReadOnlySpan<byte> data, bool endOfMessage, List<EncodedPicture> completed);
}
