namespace PiStreaming.Pipeline;

/// <summary>
/// Whatever feeds the broadcaster and the JPEG outputs: a camera and the encoders
/// (<see cref="StreamingPipeline"/>), or another PiStreaming server's stream (<see cref="Relay.RelayPipeline"/>).
/// </summary>
internal interface IVideoPipeline : IAsyncDisposable
{
    /// <summary>The MJPEG stream's and the snapshots' side of the pipeline.</summary>
    JpegOutput Jpeg { get; }

    /// <summary>Frames the MPEG-1 encoder could not take in time and that were dropped (0 for a relay).</summary>
    long DroppedFrames { get; }

    /// <summary>How often the source was started again after a failure (a relay: reconnected to its origin).</summary>
    long SourceRestarts { get; }

    /// <summary>Runs until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
