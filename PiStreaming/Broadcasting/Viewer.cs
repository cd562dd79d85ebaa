using System.Net.WebSockets;
using System.Threading.Channels;
using PiStreaming.Encoding;

namespace PiStreaming.Broadcasting;

/// <summary>
/// One browser watching over a WebSocket. Pictures wait in a bounded queue drained by this viewer's
/// own send loop, so a slow viewer only ever delays itself; a receive loop notices the client
/// leaving. Those are the only two operations on the socket, so sends and receives never overlap.
/// </summary>
public sealed class Viewer
{
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromMilliseconds(500);

    private readonly WebSocket socket;
    private readonly Channel<ReadOnlyMemory<byte>> outbox;
    private WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NormalClosure;
    private string closeReason = "";

    // Only the broadcaster's single publishing loop touches these.
    private bool joined;
    private bool waitingForIntraPicture;
    private long droppedPictures;

    public Viewer(int id, string remoteAddress, WebSocket socket, int queueLength)
    {
        Id = id;
        RemoteAddress = remoteAddress;
        this.socket = socket;
        outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(queueLength)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of blocking
        });
    }

    public int Id { get; }
    public string RemoteAddress { get; }
    public long DroppedPictures => Interlocked.Read(ref droppedPictures);

    /// <summary>
    /// Queues a picture without ever waiting. A viewer starts at a join point (nothing before one can
    /// be decoded), and after a drop it skips ahead to the next I picture.
    /// </summary>
    public void Offer(FramedPicture picture)
    {
        if (!joined)
        {
            if (!picture.IsJoinPoint)
            {
                return;
            }

            joined = true;
            waitingForIntraPicture = false;
            foreach (var message in picture.JoinMessages)
            {
                Enqueue(message);
            }

            return;
        }

        if (waitingForIntraPicture)
        {
            if (picture.Picture.Type != PictureType.I)
            {
                return;
            }

            waitingForIntraPicture = false;
        }

        Enqueue(picture.Message);
    }

    private void Enqueue(ReadOnlyMemory<byte> message)
    {
        if (!outbox.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref droppedPictures);
            waitingForIntraPicture = true;
        }
    }

    /// <summary>Asks the send loop to finish what it is sending and close the socket with this status.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        closeStatus = status;
        closeReason = reason;
        outbox.Writer.TryComplete();
    }

    /// <summary>Sends the header, then pictures, until the client leaves or <see cref="Close"/> is called.</summary>
    public async Task RunAsync(ReadOnlyMemory<byte> header, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = SendLoopAsync(header, abort.Token);
        var receiving = ReceiveLoopAsync(abort.Token);
        await Task.WhenAny(sending, receiving);

        // One side ended: give the other a moment to finish the close handshake, then abort the socket.
        outbox.Writer.TryComplete();
        try
        {
            await Task.WhenAll(sending, receiving).WaitAsync(CloseHandshakeTimeout, CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }

        await abort.CancelAsync();
        socket.Abort();
        await Task.WhenAll(sending, receiving);
    }

    private async Task SendLoopAsync(ReadOnlyMemory<byte> header, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(header, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            await foreach (var message in outbox.Reader.ReadAllAsync(cancellationToken))
            {
                await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(closeStatus, closeReason, cancellationToken);
            }
        }
        catch (Exception e) when (IsDisconnect(e))
        {
            // The client is gone; RunAsync tidies up.
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        // Messages from viewers carry no meaning; reading them is how a close or a vanished client is noticed.
        var buffer = new byte[1024];
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
            }
        }
        catch (Exception e) when (IsDisconnect(e))
        {
        }
    }

    private static bool IsDisconnect(Exception e) =>
        e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException;
}
