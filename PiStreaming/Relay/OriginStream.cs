using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PiStreaming.Encoding;
using PiStreaming.Processes;

namespace PiStreaming.Relay;

/// <summary>
/// One connection to another PiStreaming server (the origin): its video WebSocket (ws://HOST:8082/video,
/// or any path on its --ws-port) or its media-player stream (http://HOST:8082/stream.mpg). Yields the
/// origin's MPEG-1 pictures as they arrive, each whole and unchanged; nothing is decoded.
/// </summary>
internal sealed class OriginStream : IAsyncDisposable
{
    /// <summary>An origin that sends nothing for this long (not even a picture of a still camera) is given up.</summary>
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(10);

    private const int ReadBufferBytes = 64 * 1024;

    private readonly Func<Memory<byte>, CancellationToken, ValueTask<int>> read;
    private readonly IDisposable connection;
    private readonly Mpeg1PictureSplitter splitter = new();
    private readonly List<EncodedPicture> arrived = [];
    private readonly byte[] readBuffer = new byte[ReadBufferBytes];

    private OriginStream(Uri address, Func<Memory<byte>, CancellationToken, ValueTask<int>> read, IDisposable connection, FrameFormat? announced)
    {
        Address = address;
        this.read = read;
        this.connection = connection;
        Format = announced ?? default;
    }

    public Uri Address { get; }

    /// <summary>The address for the log: without user, password or query (a token may be in either).</summary>
    public string Name => Redact(Address);

    /// <summary>An address without user, password or query.</summary>
    public static string Redact(Uri address) => $"{address.Scheme}://{address.Authority.Split('@')[^1]}{address.AbsolutePath}";

    /// <summary>The pictures' size: the jsmp header's (WebSocket), or the first sequence header's (/stream.mpg).</summary>
    public FrameFormat Format { get; private set; }

    /// <summary>The stream's coded frame rate, from its first sequence header.</summary>
    public double FrameRate { get; private set; }

    /// <summary>Connects and reads up to the first picture a viewer can start with, which tells the stream's size and rate.</summary>
    /// <exception cref="OriginUnavailableException">the origin cannot be reached, refuses, or sends no PiStreaming video.</exception>
    public static async Task<OriginStream> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        OriginStream? stream = null;
        try
        {
            stream = address.Scheme is "ws" or "wss"
                ? await OpenWebSocketAsync(address, cancellationToken)
                : await OpenHttpAsync(address, cancellationToken);
            await stream.ReadUntilSequenceHeaderAsync(cancellationToken);
            return stream;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsOriginFailure(e))
        {
            stream?.connection.Dispose();
            throw new OriginUnavailableException(e is OriginUnavailableException ? e.Message : $"{Redact(address)}: {Describe(e)}");
        }
        catch
        {
            stream?.connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects as <see cref="ConnectAsync"/> does, trying again with a <see cref="RetryBackoff"/> (one log line per
    /// failure) for as long as it takes: an origin that is not up yet is waited for, as a camera is.
    /// </summary>
    /// <returns>the connection, or null when <paramref name="stop"/> completed first.</returns>
    public static async Task<OriginStream?> ReachAsync(Uri address, TimeProvider time, ILogger logger, Task stop)
    {
        using var stopping = new CancellationTokenSource();
        _ = stop.ContinueWith(_ =>
        {
            try
            {
                stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Reached the origin long before the stop.
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var backoff = new RetryBackoff(time);
        while (true)
        {
            try
            {
                return await ConnectAsync(address, stopping.Token);
            }
            catch (OriginUnavailableException e)
            {
                if (!await backoff.WaitAfterFailureAsync(
                        delay => logger.LogWarning("cannot relay yet: {Reason}; trying again in {Seconds} s", e.Message, delay.TotalSeconds), stopping.Token))
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>Pictures as they arrive, until the origin ends the stream.</summary>
    /// <exception cref="OriginUnavailableException">the connection failed or went silent.</exception>
    public async IAsyncEnumerable<EncodedPicture> ReadPicturesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var picture in arrived)
            {
                yield return picture;
            }

            arrived.Clear();
            if (!await ReadMoreAsync(cancellationToken))
            {
                yield break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        connection.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ReadUntilSequenceHeaderAsync(CancellationToken cancellationToken)
    {
        while (splitter.Sequence is null || arrived.Count == 0)
        {
            if (!await ReadMoreAsync(cancellationToken))
            {
                throw new InvalidDataException("the origin ended the stream before its first picture");
            }
        }

        FrameRate = splitter.Sequence.FrameRate;
        if (Format == default)
        {
            Format = splitter.Sequence.Format;
        }
    }

    /// <returns>false when the origin ended the stream.</returns>
    private async Task<bool> ReadMoreAsync(CancellationToken cancellationToken)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(SilenceTimeout);
        int count;
        try
        {
            count = await read(readBuffer, silence.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OriginUnavailableException($"{Name} sent nothing for {SilenceTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsOriginFailure(e))
        {
            throw new OriginUnavailableException($"{Name}: {Describe(e)}");
        }

        if (count == 0)
        {
            return false;
        }

        try
        {
            splitter.Append(readBuffer.AsSpan(0, count), arrived);
        }
        catch (InvalidDataException e)
        {
            throw new OriginUnavailableException($"{Name}: {e.Message}");
        }

        return true;
    }

    private static async Task<OriginStream> OpenWebSocketAsync(Uri address, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            // Pings that go unanswered end the connection: an origin that vanished from the network is noticed too.
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(5);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(5);
            if (BasicAuthorization(address) is { } authorization)
            {
                socket.Options.SetRequestHeader("Authorization", authorization);
            }
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connecting.CancelAfter(SilenceTimeout);
                await socket.ConnectAsync(address, connecting.Token);
            }

            var header = await ReceiveHeaderAsync(socket, address, cancellationToken);
            return new OriginStream(address, (buffer, token) => ReceiveSomeAsync(socket, buffer, token), socket, header);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Message boundaries mean nothing here: the pictures are found from their start codes. 0 means the origin closed.
    private static async ValueTask<int> ReceiveSomeAsync(ClientWebSocket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close || result.Count > 0)
            {
                return result.MessageType == WebSocketMessageType.Close ? 0 : result.Count;
            }
        }
    }

    // Every PiStreaming video WebSocket starts with "jsmp", width and height (big-endian uint16).
    private static async Task<FrameFormat> ReceiveHeaderAsync(ClientWebSocket socket, Uri address, CancellationToken cancellationToken)
    {
        var header = new byte[64];
        var length = 0;
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(SilenceTimeout);
        while (true)
        {
            var result = await socket.ReceiveAsync(header.AsMemory(length), silence.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                var reason = string.IsNullOrEmpty(socket.CloseStatusDescription) ? $"close code {(int?)socket.CloseStatus}" : socket.CloseStatusDescription;
                throw new OriginUnavailableException($"{Redact(address)} closed the connection: {reason}");
            }

            length += result.Count;
            if (result.EndOfMessage || length == header.Length)
            {
                break;
            }
        }

        if (length != 8 || !header.AsSpan(0, 4).SequenceEqual("jsmp"u8))
        {
            throw new OriginUnavailableException($"{Redact(address)} is not a PiStreaming video WebSocket (its first message is not the jsmp header)");
        }

        return new FrameFormat(BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(6)));
    }

    private static async Task<OriginStream> OpenHttpAsync(Uri address, CancellationToken cancellationToken)
    {
        var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connecting.CancelAfter(SilenceTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            if (BasicAuthorization(address) is { } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connecting.Token);
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new OriginUnavailableException($"{Redact(address)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentType is not { MediaType: "video/mpeg" })
            {
                var type = response.Content.Headers.ContentType?.MediaType ?? "none";
                response.Dispose();
                throw new OriginUnavailableException($"{Redact(address)} is not an MPEG-1 stream (Content-Type {type}); use http://HOST:8082/stream.mpg or ws://HOST:8082/video");
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new OriginStream(address, (buffer, token) => body.ReadAsync(buffer, token), new Both(response, client), null);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // A private origin's user and password, given in the address (ws://user:password@camera.local:8082/video).
    private static string? BasicAuthorization(Uri address) =>
        address.UserInfo.Length == 0
            ? null
            : "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(address.UserInfo)));

    private static bool IsOriginFailure(Exception e) =>
        e is WebSocketException or HttpRequestException or IOException or InvalidDataException or OperationCanceledException or OriginUnavailableException;

    private static string Describe(Exception e)
    {
        if (e is OriginUnavailableException)
        {
            return e.Message;
        }

        if (e is OperationCanceledException)
        {
            return "no answer within " + SilenceTimeout.TotalSeconds + " s";
        }

        var innermost = e;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return innermost.Message.TrimEnd('.');
    }

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}

/// <summary>The origin cannot be reached, refused, or sent something that is not PiStreaming video; the message says which.</summary>
internal sealed class OriginUnavailableException(string message) : IOException(message);
