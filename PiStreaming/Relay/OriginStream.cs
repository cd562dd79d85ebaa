using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using PiStreaming.Encoding;

namespace PiStreaming.Relay;

/// <summary>
/// One connection to another PiStreaming server (the origin), for one of its streams (<see cref="OriginCodec"/>):
/// its MPEG-1 video WebSocket (ws://HOST:8082/video, or any path on its --ws-port) or media-player stream
/// (http://HOST:8082/stream.mpg), or its H.264 video WebSocket (/video.h264). Yields the origin's pictures as
/// they arrive, each whole and unchanged (an <see cref="IPictureSplitter"/> finds them); nothing is decoded.
/// </summary>
internal sealed class OriginStream : IAsyncDisposable
{
    /// <summary>An origin that sends nothing for this long (not even a picture of a still camera) is given up.</summary>
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(10);

    private const int ReadBufferBytes = 64 * 1024;

    private readonly Func<Memory<byte>, CancellationToken, ValueTask<(int Count, bool EndOfMessage)>> read;
    private readonly IDisposable connection;
    private readonly IPictureSplitter splitter;
    private readonly List<EncodedPicture> arrived = [];
    private readonly byte[] readBuffer = new byte[ReadBufferBytes];

    private OriginStream(Uri address, OriginCodec codec, Func<Memory<byte>, CancellationToken, ValueTask<(int Count, bool EndOfMessage)>> read,
        IDisposable connection, FrameFormat? announced)
    {
        Address = address;
        Codec = codec;
        splitter = codec.CreateSplitter();
        this.read = read;
        this.connection = connection;
        Format = announced ?? default;
    }

    public Uri Address { get; }

    public OriginCodec Codec { get; }

    /// <summary>The address for the log: without user, password or query (a token may be in either).</summary>
    public string Name => Redact(Address);

    /// <summary>An address without user, password or query.</summary>
    public static string Redact(Uri address) => $"{address.Scheme}://{address.Authority.Split('@')[^1]}{address.AbsolutePath}";

    /// <summary>The pictures' size: the WebSocket header's (jsmp or h264), or the first sequence header's (/stream.mpg).</summary>
    public FrameFormat Format { get; private set; }

    /// <summary>The stream's frame rate: MPEG-1's coded rate from its first sequence header, H.264's from its first SPS (null if it states none).</summary>
    public double? FrameRate { get; private set; }

    /// <summary>Connects and reads up to the first picture a viewer can start with, which tells the stream's size and rate.</summary>
    /// <exception cref="StreamNotOfferedException">the origin answered 404: it does not offer this stream (--codec).</exception>
    /// <exception cref="OriginUnavailableException">the origin cannot be reached, refuses, or sends no PiStreaming video.</exception>
    public static async Task<OriginStream> ConnectAsync(Uri address, OriginCodec codec, CancellationToken cancellationToken)
    {
        OriginStream? stream = null;
        try
        {
            stream = address.Scheme is "ws" or "wss"
                ? await OpenWebSocketAsync(address, codec, cancellationToken)
                : await OpenHttpAsync(address, codec, cancellationToken);
            await stream.ReadUntilSequenceHeaderAsync(cancellationToken);
            return stream;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsOriginFailure(e) && e is not OriginUnavailableException)
        {
            stream?.connection.Dispose();
            throw new OriginUnavailableException($"{Redact(address)}: {Describe(e)}");
        }
        catch
        {
            stream?.connection.Dispose();
            throw;
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
        while (!splitter.Started || arrived.Count == 0)
        {
            if (!await ReadMoreAsync(cancellationToken))
            {
                throw new InvalidDataException("the origin ended the stream before its first picture");
            }
        }

        FrameRate = splitter.FrameRate;
        if (Format == default)
        {
            Format = splitter.Format ?? default;
        }
    }

    /// <returns>false when the origin ended the stream.</returns>
    private async Task<bool> ReadMoreAsync(CancellationToken cancellationToken)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(SilenceTimeout);
        int count;
        bool endOfMessage;
        try
        {
            (count, endOfMessage) = await read(readBuffer, silence.Token);
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
            splitter.Append(readBuffer.AsSpan(0, count), endOfMessage, arrived);
        }
        catch (InvalidDataException e)
        {
            throw new OriginUnavailableException($"{Name}: {e.Message}");
        }

        return true;
    }

    private static async Task<OriginStream> OpenWebSocketAsync(Uri address, OriginCodec codec, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.CollectHttpResponseDetails = true; // to tell 404 (stream not offered) from other refusals
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
                try
                {
                    await socket.ConnectAsync(address, connecting.Token);
                }
                catch (WebSocketException) when (socket.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    throw new StreamNotOfferedException($"{Redact(address)} answered 404: the origin offers no {codec.Name()} stream");
                }
            }

            var header = await ReceiveHeaderAsync(socket, address, codec, cancellationToken);
            return new OriginStream(address, codec, (buffer, token) => ReceiveSomeAsync(socket, buffer, token), socket, header);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Count 0 means the origin closed. Whether a message ends here matters to H.264 (one access unit per message) only.
    private static async ValueTask<(int Count, bool EndOfMessage)> ReceiveSomeAsync(ClientWebSocket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close || result.Count > 0)
            {
                return result.MessageType == WebSocketMessageType.Close ? (0, true) : (result.Count, result.EndOfMessage);
            }
        }
    }

    // Every PiStreaming video WebSocket starts with "jsmp" (MPEG-1) or "h264", width and height (big-endian uint16).
    private static async Task<FrameFormat> ReceiveHeaderAsync(ClientWebSocket socket, Uri address, OriginCodec codec, CancellationToken cancellationToken)
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

        if (codec == OriginCodec.H264 && length == 8 && header.AsSpan(0, 4).SequenceEqual(OriginCodec.Mpeg1.HeaderMagic()))
        {
            // The video port of an origin without H.264 answers every path with MPEG-1.
            throw new StreamNotOfferedException($"{Redact(address)} answered with MPEG-1: the origin offers no H.264 stream");
        }

        if (length != 8 || !header.AsSpan(0, 4).SequenceEqual(codec.HeaderMagic()))
        {
            throw new OriginUnavailableException(
                $"{Redact(address)} is not a PiStreaming {codec.Name()} video WebSocket (its first message is not the {System.Text.Encoding.ASCII.GetString(codec.HeaderMagic())} header)");
        }

        return new FrameFormat(BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(6)));
    }

    private static async Task<OriginStream> OpenHttpAsync(Uri address, OriginCodec codec, CancellationToken cancellationToken)
    {
        if (codec != OriginCodec.Mpeg1)
        {
            throw new ArgumentException("a relay reads only the MPEG-1 stream over HTTP (/stream.mpg)", nameof(codec));
        }

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
            return new OriginStream(address, codec, async (buffer, token) => (await body.ReadAsync(buffer, token), false), new Both(response, client), null);
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
internal class OriginUnavailableException(string message) : IOException(message);

/// <summary>The origin answered 404 for one of its streams: it does not offer it (its --codec), or the address is wrong.</summary>
internal sealed class StreamNotOfferedException(string message) : OriginUnavailableException(message);
