using System.Diagnostics;
using System.Net.WebSockets;

namespace PiStreaming.Benchmarks.Load;

/// <summary>
/// One benchmark viewer: a ClientWebSocket that checks the jsmp header and counts pictures, and notes
/// when each I picture arrived (identified by a hash of its bytes) to compare viewers with each other.
/// </summary>
internal sealed class LoadViewer
{
    private readonly ClientWebSocket socket = new();
    private readonly byte[]? expectedHeader;
    private readonly List<(int Hash, long At)> intraArrivals = [];
    private long pictures;
    private volatile bool recordingIntraArrivals;

    public LoadViewer(byte[]? expectedHeader) => this.expectedHeader = expectedHeader;

    /// <summary>Stopwatch timestamps; 0 until it happened.</summary>
    public long HeaderAt { get; private set; }
    public long FirstPictureAt { get; private set; }

    public bool HeaderOk { get; private set; }
    public long Pictures => Interlocked.Read(ref pictures);
    public string? Failure { get; private set; }
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Connects and receives until <paramref name="cancellationToken"/> fires or the server ends it.</summary>
    public async Task RunAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            await socket.ConnectAsync(uri, cancellationToken);
            var buffer = new byte[128 * 1024];
            var filled = 0;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = socket.CloseStatus;
                    Failure ??= $"closed by the server ({(int?)socket.CloseStatus} {socket.CloseStatusDescription})";
                    return;
                }

                filled += result.Count;
                if (!result.EndOfMessage)
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    continue;
                }

                OnMessage(buffer.AsSpan(0, filled), Stopwatch.GetTimestamp());
                filled = 0;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or IOException or System.Net.Sockets.SocketException)
        {
            Failure ??= e.Message;
        }
        finally
        {
            socket.Abort();
            socket.Dispose();
        }
    }

    /// <summary>Starts or stops noting I picture arrivals (only in a measuring window, to bound memory).</summary>
    public void RecordIntraArrivals(bool on) => recordingIntraArrivals = on;

    public IReadOnlyList<(int Hash, long At)> IntraArrivals
    {
        get
        {
            lock (intraArrivals)
            {
                return [.. intraArrivals];
            }
        }
    }

    private void OnMessage(ReadOnlySpan<byte> message, long now)
    {
        if (HeaderAt == 0)
        {
            HeaderAt = now;
            HeaderOk = message.Length == 8 && message.StartsWith("jsmp"u8) && (expectedHeader is null || message.SequenceEqual(expectedHeader));
            if (!HeaderOk)
            {
                Failure ??= "wrong header";
            }

            return;
        }

        // In low-latency mode a message of just the 4-byte start code follows a viewer's first picture.
        if (message.Length <= 4)
        {
            return;
        }

        if (FirstPictureAt == 0)
        {
            FirstPictureAt = now;
        }

        Interlocked.Increment(ref pictures);
        if (recordingIntraArrivals && IsIntraPicture(message))
        {
            var hash = new HashCode();
            hash.AddBytes(message);
            lock (intraArrivals)
            {
                intraArrivals.Add((hash.ToHashCode(), now));
            }
        }
    }

    // A whole picture starts with a start code; a continuing message (low-latency mode) starts right after
    // its picture start code: 10 bits temporal reference, then 3 bits picture type (1 = I).
    private static ReadOnlySpan<byte> PictureStartCode => [0, 0, 1, 0];

    private static bool IsIntraPicture(ReadOnlySpan<byte> message)
    {
        if (message[0] == 0 && message[1] == 0 && message[2] == 1)
        {
            var start = message.IndexOf(PictureStartCode);
            return start >= 0 && start + 5 < message.Length && ((message[start + 5] >> 3) & 7) == 1;
        }

        return ((message[1] >> 3) & 7) == 1;
    }
}
