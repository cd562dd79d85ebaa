using System.Net.Sockets;
using System.Net.WebSockets;

namespace PiStreaming.Tests.Support;

/// <summary>
/// A viewer that completes the WebSocket handshake and then stops reading, like a frozen or vanished
/// client: a raw TCP socket with a small receive buffer, so the server's sends soon block on a full
/// TCP window. <see cref="ResumeAsync"/> reads what arrived after all, through .NET's own WebSocket.
/// (Shared with the load benchmark, so no NUnit here.)
/// </summary>
internal sealed class StalledViewer : IDisposable
{
    private readonly Socket socket;

    private StalledViewer(Socket socket) => this.socket = socket;

    public sealed record Received(List<byte[]> Messages, WebSocketCloseStatus? CloseStatus, bool ConnectionEnded);

    /// <param name="path">the WebSocket's path, e.g. /video.h264.</param>
    public static async Task<StalledViewer> ConnectAsync(string host, int port, int receiveBufferSize = 4096, CancellationToken cancellationToken = default,
        string path = "/")
    {
        // Set before connecting, so the advertised TCP window is small from the start.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBufferSize };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            var handshake = $"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(handshake), cancellationToken);
            return new StalledViewer(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the handshake answer and then messages until the server closes or ends the connection,
    /// or <paramref name="timeout"/> passes (then the connection is still open).
    /// </summary>
    public async Task<Received> ResumeAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var messages = new List<byte[]>();
        var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var status = await ReadResponseHeadAsync(stream, cancel.Token);
            if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"handshake refused: {status}");
            }

            using var webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            while (true)
            {
                var result = await webSocket.ReceiveAsync(buffer.AsMemory(), cancel.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new Received(messages, webSocket.CloseStatus, ConnectionEnded: true);
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    messages.Add(message.ToArray());
                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException && cancel.IsCancellationRequested)
        {
            // The time was up (cancelling aborts the socket: a receive started just after says "aborted").
            return new Received(messages, null, ConnectionEnded: false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or SocketException or EndOfStreamException)
        {
            // Ended without a close frame: the server aborted it.
            return new Received(messages, null, ConnectionEnded: true);
        }
    }

    private static async Task<string> ReadResponseHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        // Byte by byte, so nothing after the blank line is consumed before the WebSocket reads it.
        var head = new System.Text.StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new EndOfStreamException("connection ended during the handshake");
            }

            head.Append((char)one[0]);
        }

        return head.ToString().Split("\r\n")[0];
    }

    public void Dispose() => socket.Dispose();
}
