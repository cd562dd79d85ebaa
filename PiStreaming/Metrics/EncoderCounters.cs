namespace PiStreaming.Metrics;

/// <summary>What one encoder (ffmpeg for MPEG-1, ffmpeg for JPEG) has done since the server started.</summary>
internal sealed class EncoderCounters(string name)
{
    private long picturesEncoded;
    private long bytesEncoded;
    private long restarts;
    private long framesDropped;

    /// <summary>The encoder's name in metrics and status: "mpeg1" or "jpeg".</summary>
    public string Name => name;

    public KeyValuePair<string, object?> Tag { get; } = new(ServerMetrics.EncoderTag, name);

    public long PicturesEncoded => Interlocked.Read(ref picturesEncoded);
    public long BytesEncoded => Interlocked.Read(ref bytesEncoded);

    /// <summary>Times the encoder failed and was started again.</summary>
    public long Restarts => Interlocked.Read(ref restarts);

    /// <summary>Raw camera frames dropped because the encoder was behind.</summary>
    public long FramesDropped => Interlocked.Read(ref framesDropped);

    public void Encoded(int bytes)
    {
        Interlocked.Increment(ref picturesEncoded);
        Interlocked.Add(ref bytesEncoded, bytes);
    }

    public void Restarted() => Interlocked.Increment(ref restarts);

    public void FrameDropped() => Interlocked.Increment(ref framesDropped);
}
