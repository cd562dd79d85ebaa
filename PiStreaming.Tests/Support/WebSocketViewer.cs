using System.Net.WebSockets;

namespace PiStreaming.Tests.Support;

/// <summary>A test client: a real ClientWebSocket that collects whole binary messages.</summary>
internal sealed class WebSocketViewer : IDisposable
{
    private readonly ClientWebSocket socket = new();

    public WebSocketState State => socket.State;
    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    public static async Task<WebSocketViewer> ConnectAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        var viewer = new WebSocketViewer();
        await viewer.socket.ConnectAsync(uri, cancellationToken);
        return viewer;
    }

    /// <summary>The next whole message, or null when the server closed the socket.</summary>
    public async Task<byte[]?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            }
            catch (WebSocketException) when (cancellationToken.IsCancellationRequested)
            {
                // Cancelling aborts the socket; when that lands just after a receive completed, the next receive
                // finds it aborted and says so instead of being cancelled. Either way the time was up.
                throw new OperationCanceledException(cancellationToken);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }

    /// <summary>Messages until <paramref name="count"/> have arrived or the time is up.</summary>
    public async Task<List<byte[]>> ReceiveMessagesAsync(int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var messages = new List<byte[]>();
        try
        {
            while (messages.Count < count && await ReceiveMessageAsync(cancel.Token) is { } message)
            {
                messages.Add(message);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return messages;
    }

    /// <summary>Every message that arrives within <paramref name="duration"/>, with when it arrived.</summary>
    public async Task<List<(TimeSpan At, byte[] Data)>> ReceiveForAsync(TimeSpan duration)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cancel = new CancellationTokenSource(duration);
        var messages = new List<(TimeSpan, byte[])>();
        try
        {
            while (await ReceiveMessageAsync(cancel.Token) is { } message)
            {
                messages.Add((clock.Elapsed, message));
            }
        }
        catch (OperationCanceledException)
        {
        }

        return messages;
    }

    public Task CloseAsync() => socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);

    /// <summary>
    /// Sends the close frame only: for a viewer whose receive loop is running, which then gets the server's
    /// answering close frame (a CloseAsync beside it would race that loop for the frame).
    /// </summary>
    public Task CloseOutputAsync() => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);

    public void Dispose() => socket.Dispose();
}
