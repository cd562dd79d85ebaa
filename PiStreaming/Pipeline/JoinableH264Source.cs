using System.Runtime.CompilerServices;
using PiStreaming.Encoding;
using PiStreaming.Sources;

namespace PiStreaming.Pipeline;

/// <summary>
/// A camera's own H.264 (<see cref="IFrameSource.DeliversH264"/>) with SPS and PPS in front of every IDR
/// picture (<see cref="H264ParameterSets"/>), before anything reads it: webcams often send them once, at the
/// start, and then neither a viewer nor the JPEG decoder (started whenever someone wants JPEGs) could begin
/// at a later IDR picture. A stream that repeats them (rpicam-vid --inline) passes unchanged.
/// </summary>
internal sealed class JoinableH264Source(IFrameSource camera) : IFrameSource
{
    public string Name => camera.Name;
    public bool FlipsFrames => camera.FlipsFrames;
    public bool IsLive => camera.IsLive;
    public long Restarts => camera.Restarts;
    public bool DeliversH264 => true;

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameterSets = new H264ParameterSets();
        await foreach (var unit in camera.ReadFramesAsync(cancellationToken).WithCancellation(cancellationToken))
        {
            yield return parameterSets.Complete(H264AccessUnit.Parse(unit)).Data;
        }
    }

    /// <summary>The camera belongs to whoever made it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
