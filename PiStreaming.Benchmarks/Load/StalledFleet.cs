using System.Net.WebSockets;
using PiStreaming.Tests.Support;

namespace PiStreaming.Benchmarks.Load;

/// <summary>
/// Viewers that finish the WebSocket handshake and never read (raw TCP, small receive buffer). Each
/// stalls for <c>stallFor</c>, then reads what is left to see how the server ended it, and connects
/// again; so the server faces the same number of stalled viewers all the time, old and new.
/// <c>stallFor</c> of zero or less stalls until the fleet is disposed (checked then), never reconnecting.
/// </summary>
internal sealed class StalledFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task[] running;
    private int connections, closedWithPolicyViolation, closedOtherwise, aborted, stillOpen, failedToConnect;

    private StalledFleet(Uri server, int count, TimeSpan stallFor) =>
        running = Enumerable.Range(0, count).Select(_ => RunAsync(server.DnsSafeHost, server.Port, stallFor, stop.Token)).ToArray();

    public static StalledFleet Start(Uri server, int count, TimeSpan stallFor) => new(server, count, stallFor);

    /// <summary>How the server ended the stalled connections.</summary>
    public sealed record Outcome(int Connections, int ClosedWith1008, int ClosedOtherwise, int Aborted, int StillOpen, int FailedToConnect);

    public Outcome Result => new(connections, closedWithPolicyViolation, closedOtherwise, aborted, stillOpen, failedToConnect);

    private async Task RunAsync(string host, int port, TimeSpan stallFor, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            StalledViewer viewer;
            try
            {
                viewer = await StalledViewer.ConnectAsync(host, port, receiveBufferSize: 4096, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                Interlocked.Increment(ref failedToConnect);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                continue;
            }

            using (viewer)
            {
                Interlocked.Increment(ref connections);
                try
                {
                    await Task.Delay(stallFor > TimeSpan.Zero ? stallFor : Timeout.InfiniteTimeSpan, cancellationToken);
                }
                catch (OperationCanceledException) when (stallFor > TimeSpan.Zero)
                {
                    return;
                }
                catch (OperationCanceledException)
                {
                    // Stalled for the whole run: see how it ended before leaving.
                }

                Interlocked.Increment(ref CounterFor(await viewer.ResumeAsync(TimeSpan.FromSeconds(2))));
            }
        }
    }

    private ref int CounterFor(StalledViewer.Received left)
    {
        if (!left.ConnectionEnded)
        {
            return ref stillOpen;
        }

        if (left.CloseStatus == WebSocketCloseStatus.PolicyViolation)
        {
            return ref closedWithPolicyViolation;
        }

        return ref left.CloseStatus is null ? ref aborted : ref closedOtherwise;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(running);
        stop.Dispose();
    }
}
