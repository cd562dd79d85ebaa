namespace PiStreaming.Sources;

/// <summary>Reads a camera tool's output one unit at a time: a raw frame (<see cref="FrameReader"/>) or an H.264 access unit (<see cref="AccessUnitReader"/>).</summary>
internal interface IFrameReader
{
    /// <summary>How many bytes of an incomplete last unit were thrown away when the stream ended.</summary>
    int TornFrameBytes { get; }

    /// <summary>Units read so far.</summary>
    long FramesRead { get; }

    /// <returns>the next unit, or null when the stream has ended (a torn last unit is dropped).</returns>
    ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken);
}
