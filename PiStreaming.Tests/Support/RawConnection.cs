using System.Net.Sockets;

namespace PiStreaming.Tests.Support;

/// <summary>A raw TCP client for what no well-behaved client library would send: malformed requests, bad WebSocket frames.</summary>
internal sealed class RawConnection : IDisposable
{
    private readonly TcpClient client = new();

    private NetworkStream Stream => client.GetStream();

    public static async Task<RawConnection> ConnectAsync(int port)
    {
        var connection = new RawConnection();
        await connection.client.ConnectAsync("127.0.0.1", port);
        return connection;
    }

    /// <summary>Sends <paramref name="request"/> and returns the status code of the answer (0 when the server closed without one).</summary>
    public static async Task<int> StatusOfAsync(int port, string request, TimeSpan timeout)
    {
        using var connection = await ConnectAsync(port);
        await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes(request));
        var head = await connection.ReadHeadAsync(timeout);
        return head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(head.AsSpan(9, 3)) : 0;
    }

    public Task SendAsync(byte[] bytes) => Stream.WriteAsync(bytes).AsTask();

    /// <summary>A WebSocket upgrade request for <paramref name="port"/>, optionally with extra header lines.</summary>
    public static string Handshake(int port, string extraHeaders = "") =>
        $"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    /// <summary>Reads up to the blank line after the response headers; returns them ("" when the server closed first).</summary>
    public async Task<string> ReadHeadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[1];
        var head = new System.Text.StringBuilder();
        try
        {
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await Stream.ReadAsync(buffer, cancel.Token) == 1)
            {
                head.Append((char)buffer[0]);
            }
        }
        catch (IOException)
        {
        }

        return head.ToString();
    }

    /// <summary>
    /// Sends one client frame (masked unless <paramref name="masked"/> is false) with this first byte
    /// (FIN and opcode) and payload.
    /// </summary>
    public Task SendFrameAsync(byte finAndOpcode, byte[] payload, bool masked = true)
    {
        using var frame = new MemoryStream();
        frame.WriteByte(finAndOpcode);
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length < 126)
        {
            frame.WriteByte((byte)(maskBit | payload.Length));
        }
        else
        {
            frame.WriteByte((byte)(maskBit | 126));
            frame.WriteByte((byte)(payload.Length >> 8));
            frame.WriteByte((byte)payload.Length);
        }

        byte[] key = [1, 2, 3, 4];
        if (masked)
        {
            frame.Write(key);
        }

        frame.Write(payload.Select((b, i) => masked ? (byte)(b ^ key[i % 4]) : b).ToArray());
        return SendAsync(frame.ToArray());
    }

    /// <summary>Reads server frames, skipping data frames, until a close frame; returns its code (null when the connection ends without one).</summary>
    public async Task<int?> ReadCloseCodeAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var head = await ReadExactlyAsync(2, cancel.Token);
                long length = head[1] & 0x7f;
                if (length == 126)
                {
                    var extended = await ReadExactlyAsync(2, cancel.Token);
                    length = (extended[0] << 8) | extended[1];
                }
                else if (length == 127)
                {
                    var extended = await ReadExactlyAsync(8, cancel.Token);
                    length = extended.Aggregate(0L, (value, b) => (value << 8) | b);
                }

                var payload = await ReadExactlyAsync((int)length, cancel.Token);
                if ((head[0] & 0x0f) == 8)
                {
                    return payload.Length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose() => client.Dispose();

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        await Stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}
