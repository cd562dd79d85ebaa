using System.Net.WebSockets;
using PiStreaming.Fanout;
using PiStreaming.Metrics;

namespace PiStreaming.Web;

/// <summary>
/// One browser watching a video stream (MPEG-1 or H.264) over a WebSocket. Its pictures wait in its own
/// <see cref="ViewerOutbox"/>, drained by its own send loop, so a slow viewer only ever delays itself; a
/// receive loop notices the client leaving. Those are the only two operations on the socket, so sends
/// and receives never overlap.
/// </summary>
internal sealed class WebSocketSession
{
    /// <summary>
    /// How long a close may take before the socket is aborted. A send stuck on a full TCP window never
    /// ends on its own, and the close frame would queue behind it.
    /// </summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>Viewers have nothing to say: a data message longer than this closes the viewer with 1009 (message too big).</summary>
    public const int MaxMessageBytes = 1024;

    /// <summary>
    /// After each data message the viewer's socket is not read for this long, so a client that keeps
    /// sending small ones is held back by TCP flow control and costs next to no CPU.
    /// </summary>
    private static readonly TimeSpan PauseAfterDataMessage = TimeSpan.FromMilliseconds(100);

    /// <summary>How much more of a too-big message is read (and thrown away) while its sender is being closed.</summary>
    private const int DiscardedWhileClosing = 64 * 1024;

    private readonly WebSocket socket;
    private readonly ViewerOutbox outbox;
    private readonly OutputCounters counters;
    private readonly TimeProvider time;
    private readonly Lock closing = new();
    private readonly TaskCompletionSource closeRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NormalClosure;
    private string closeReason = "";

    public WebSocketSession(WebSocket socket, Viewer viewer, ViewerOutbox outbox, OutputCounters counters, TimeProvider time)
    {
        this.socket = socket;
        this.outbox = outbox;
        this.counters = counters;
        this.time = time;
        viewer.OnCloseRequested(reason => Close(CloseStatusFor(reason), ReasonFor(reason)));
    }

    /// <summary>
    /// Drops the pictures still waiting and closes the socket with this status once the current send is
    /// done; aborts it if that takes longer than <see cref="CloseHandshakeTimeout"/>.
    /// </summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        lock (closing)
        {
            if (closeRequested.Task.IsCompleted)
            {
                return;
            }

            closeStatus = status;
            closeReason = reason;
            closeRequested.SetResult();
        }

        outbox.Close();
    }

    /// <summary>Sends the header, then pictures, until the client leaves or <see cref="Close"/> is called.</summary>
    public async Task RunAsync(ReadOnlyMemory<byte> header, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = SendLoopAsync(header, abort.Token);
        var receiving = ReceiveLoopAsync(abort.Token);
        await Task.WhenAny(sending, receiving, closeRequested.Task);

        // Something ended it: give the close handshake a moment, and abort the socket only if it takes
        // longer (a send stuck on a full TCP window, a client that never answers). An abort resets the
        // connection, and the reset can overtake the close frame that tells the client why.
        outbox.Close();
        try
        {
            await Task.WhenAll(sending, receiving).WaitAsync(CloseHandshakeTimeout, time);
        }
        catch (TimeoutException)
        {
            await abort.CancelAsync();
            socket.Abort();
            await Task.WhenAll(sending, receiving);
        }
    }

    private async Task SendLoopAsync(ReadOnlyMemory<byte> header, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(header);
            // Neither the wait nor the sends take the token: RunAsync closes the outbox (which ends the wait)
            // and aborts the socket (which ends a send stuck on a full window). A send without a token is
            // ManagedWebSocket's fast path (no registration, no state machine when the write completes at
            // once), and a wait without one reuses the outbox's waiter: with thousands of viewers, each
            // picture costs that much less per viewer.
            while (await outbox.WaitAsync(CancellationToken.None))
            {
                while (outbox.TryTake(out var next))
                {
                    var messages = next.Messages;
                    var bytes = 0;
                    for (var i = 0; i < messages.Count; i++)
                    {
                        await SendAsync(messages[i]);
                        bytes += messages[i].Length;
                    }

                    counters.Sent(bytes, next.Picture.Picture.FrameReadAt);
                }
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                string reason;
                WebSocketCloseStatus status;
                lock (closing)
                {
                    (status, reason) = (closeStatus, closeReason);
                }

                await socket.CloseOutputAsync(status, reason, cancellationToken);
            }
        }
        catch (Exception e) when (IsDisconnect(e))
        {
            // The client is gone or the socket was aborted; RunAsync tidies up.
        }
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> message) =>
        socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // Reading is how a close, a ping's answer or a vanished client is noticed; data means nothing here.
        var buffer = new byte[MaxMessageBytes];
        var messageBytes = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, "");
                    return;
                }

                messageBytes += result.Count;
                if (messageBytes > MaxMessageBytes)
                {
                    // A socket closed with unread data is reset, and the reset can reach the client before it has
                    // read the close frame that says why: read on a little, then stop reading (TCP holds the
                    // client back) but leave the socket open until the close handshake times out.
                    Close(WebSocketCloseStatus.MessageTooBig, "viewers may send control frames only");
                    if (messageBytes > MaxMessageBytes + DiscardedWhileClosing)
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                    }
                }
                else if (result.EndOfMessage)
                {
                    messageBytes = 0;
                    await Task.Delay(PauseAfterDataMessage, time, cancellationToken);
                }
            }
        }
        catch (Exception e) when (IsDisconnect(e))
        {
        }
    }

    /// <summary>1012 "service restart": the stream changed, reconnect.</summary>
    public const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    private static WebSocketCloseStatus CloseStatusFor(ViewerCloseReason reason) => reason switch
    {
        ViewerCloseReason.TooSlow => WebSocketCloseStatus.PolicyViolation,
        ViewerCloseReason.StreamChanged => ServiceRestart,
        _ => WebSocketCloseStatus.EndpointUnavailable,
    };

    private static string ReasonFor(ViewerCloseReason reason) => reason switch
    {
        ViewerCloseReason.TooSlow => "too slow to keep up with the stream",
        ViewerCloseReason.StreamChanged => "the stream changed its picture size; reconnect",
        _ => "server shutting down",
    };

    private static bool IsDisconnect(Exception e) =>
        e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException;
}
