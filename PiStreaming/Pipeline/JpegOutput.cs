using PiStreaming.Fanout;

namespace PiStreaming.Pipeline;

/// <summary>
/// What the MJPEG stream and the snapshots need from the pipeline: the newest JPEG, a lease that keeps
/// the JPEG encoder running, and whether the camera is delivering frames at all.
/// </summary>
/// <param name="lastInputAt">when the latest camera frame (or a relay's latest picture) arrived, as a <see cref="TimeProvider"/> timestamp; 0 before the first.</param>
internal sealed class JpegOutput(OnDemandEncoder encoder, LatestPicture pictures, Func<long> lastInputAt, TimeSpan frameInterval, TimeProvider time)
{
    // A camera that sent nothing for this long is down (cameras are restarted after 5 s of silence).
    private static readonly TimeSpan SilentFor = TimeSpan.FromSeconds(2);

    public LatestPicture Pictures => pictures;

    /// <summary>The time between two camera frames.</summary>
    public TimeSpan FrameInterval => frameInterval;

    /// <summary>True while frames arrive from the camera.</summary>
    public bool CameraLive => lastInputAt() is var at && at != 0 && time.GetElapsedTime(at) < SilentFor + frameInterval;

    /// <summary>Keeps the JPEG encoder running (starting it if need be) until the lease is disposed.</summary>
    public IDisposable Watch() => encoder.Acquire();

    /// <summary>How long ago <paramref name="picture"/> was encoded.</summary>
    public TimeSpan AgeOf(LatestPicture.Picture picture) => time.GetElapsedTime(picture.At);
}
