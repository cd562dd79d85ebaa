using System.Collections.Immutable;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Options;

namespace PiStreaming.Broadcasting;

/// <summary>Hands every encoded picture to every connected viewer, one picture per WebSocket message.</summary>
public sealed class Broadcaster(byte[] header, int queueLength, LatencyMode latency, ILogger<Broadcaster> logger)
{
    private readonly Lock gate = new();
    private ImmutableArray<(Viewer Viewer, Task Run)> viewers = [];
    private int nextViewerId;
    private bool closing;

    public int ViewerCount => viewers.Length;

    /// <summary>The jsmp header every viewer gets first.</summary>
    public ReadOnlyMemory<byte> Header => header;

    /// <summary>Serves one viewer until it leaves or the broadcaster closes.</summary>
    public async Task ServeAsync(WebSocket socket, string remoteAddress, CancellationToken cancellationToken)
    {
        var viewer = new Viewer(Interlocked.Increment(ref nextViewerId), remoteAddress, socket, queueLength);
        var run = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (closing)
            {
                viewer.Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
            }

            viewers = viewers.Add((viewer, run.Task));
        }

        logger.LogInformation("viewer {Id} connected from {Address} ({Count} watching)", viewer.Id, remoteAddress, ViewerCount);
        try
        {
            await viewer.RunAsync(header, cancellationToken);
        }
        finally
        {
            lock (gate)
            {
                viewers = viewers.RemoveAll(v => v.Viewer == viewer);
            }

            run.SetResult();
            logger.LogInformation("viewer {Id} left ({Count} watching{Dropped})", viewer.Id, ViewerCount,
                viewer.DroppedPictures > 0 ? $", {viewer.DroppedPictures} pictures dropped for it" : "");
        }
    }

    /// <summary>Queues a picture for every viewer; never waits for any of them.</summary>
    public void Publish(EncodedPicture encoded)
    {
        var picture = FramedPicture.Create(encoded, latency);
        foreach (var (viewer, _) in viewers)
        {
            viewer.Offer(picture);
        }
    }

    /// <summary>Asks every viewer to close, waits up to <paramref name="timeout"/>, and refuses new ones from now on.</summary>
    public async Task CloseAllAsync(TimeSpan timeout)
    {
        ImmutableArray<(Viewer Viewer, Task Run)> closingViewers;
        lock (gate)
        {
            closing = true;
            closingViewers = viewers;
        }

        foreach (var (viewer, _) in closingViewers)
        {
            viewer.Close(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
        }

        try
        {
            await Task.WhenAll(closingViewers.Select(v => v.Run)).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Count} viewers did not close in time", ViewerCount);
        }
    }
}
