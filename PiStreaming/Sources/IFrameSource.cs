namespace PiStreaming.Sources;

/// <summary>
/// A camera, or anything standing in for one: yields raw I420 frames of one <see cref="FrameFormat"/>
/// at its own pace. A yielded frame's memory is only valid until the next one is requested, so
/// sources can reuse one buffer.
/// </summary>
internal interface IFrameSource : IAsyncDisposable
{
    /// <summary>A short name for log lines, e.g. "test pattern".</summary>
    string Name { get; }

    /// <summary>
    /// True when the frames already carry the requested flips (a camera that flips in hardware),
    /// so the encoder must not flip them again.
    /// </summary>
    bool FlipsFrames => false;

    /// <summary>
    /// True for a camera, or anything that makes frames at its own pace whether or not they are taken:
    /// an encoder that falls behind then drops frames. False for a stream whose producer waits for the
    /// server to read (standard input): the encoder's queue then holds the producer back instead.
    /// </summary>
    bool IsLive => true;

    /// <summary>Times the source failed or went silent and was started again, since the start.</summary>
    long Restarts => 0;

    /// <summary>
    /// True when the "frames" are the camera's own H.264 access units (rpicam-vid --codec h264, or a webcam's
    /// H.264), passed on to H.264 viewers as they are; false for raw I420 frames.
    /// </summary>
    bool DeliversH264 => false;

    /// <summary>Frames until the source ends (end of input) or <paramref name="cancellationToken"/> fires.</summary>
    IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync(CancellationToken cancellationToken);
}
