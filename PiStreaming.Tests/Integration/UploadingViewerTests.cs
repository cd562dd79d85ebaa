using System.Net.WebSockets;
using PiStreaming.Fanout;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>Viewers have nothing to say: one that uploads is closed (1009) or held back, and the others keep full rate.</summary>
public class UploadingViewerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_message_over_1_KiB_closes_the_viewer_with_1009_and_the_others_keep_full_rate()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120 });
        using var healthy = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        var watching = healthy.ReceiveForAsync(TimeSpan.FromSeconds(4));

        using var small = new ClientWebSocket();
        await small.ConnectAsync(server.WebSocketUri, CancellationToken.None);
        await small.SendAsync(new byte[WebSocketSession.MaxMessageBytes], WebSocketMessageType.Binary, true, CancellationToken.None);

        using var big = new ClientWebSocket();
        await big.ConnectAsync(server.WebSocketUri, CancellationToken.None);
        var bigClosed = CloseStatusAsync(big);
        await big.SendAsync(new byte[WebSocketSession.MaxMessageBytes + 1], WebSocketMessageType.Binary, true, CancellationToken.None);

        using var endless = new ClientWebSocket();
        await endless.ConnectAsync(server.WebSocketUri, CancellationToken.None);
        var endlessClosed = CloseStatusAsync(endless);
        var endlessUpload = UploadOneEndlessMessageAsync(endless);

        Assert.That(await bigClosed, Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
        Assert.That(await endlessClosed, Is.EqualTo(WebSocketCloseStatus.MessageTooBig));
        Assert.That(await endlessUpload.WaitAsync(Patience), Is.LessThan(64L << 20), "the upload was cut off");
        var pictures = ReceivedPictures.DescribeAll((await watching).Skip(1).Select(m => m.Data));
        Assert.That(pictures, Has.Count.GreaterThanOrEqualTo(4 * 24 * 9 / 10), "full rate meanwhile");
        Assert.That(ReceivedPictures.Gaps(pictures), Is.Empty);
        Assert.That(small.State, Is.EqualTo(WebSocketState.Open), "a message within the limit is tolerated");
    }

    [Test]
    public async Task A_viewer_sending_small_messages_without_end_is_held_back_by_tcp()
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 160, Height = 120 });
        using var chatty = new ClientWebSocket();
        await chatty.ConnectAsync(server.WebSocketUri, CancellationToken.None);

        // Without the server pausing its reads, this loop pushes hundreds of megabytes in 3 s over loopback.
        var message = new byte[WebSocketSession.MaxMessageBytes];
        long sent = 0;
        using var window = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            while (true)
            {
                await chatty.SendAsync(message, WebSocketMessageType.Binary, true, window.Token);
                sent += message.Length;
            }
        }
        catch (OperationCanceledException)
        {
        }

        TestContext.Out.WriteLine($"a client sending 1 KiB messages as fast as it could got {sent / 1024} KiB through in 3 s");
        Assert.That(sent, Is.LessThan(24L << 20), "kernel and Kestrel buffers, then nothing");
        Assert.That(server.Server.ViewerCount, Is.EqualTo(1), "small messages are tolerated, only slowed");
    }

    private static async Task<long> UploadOneEndlessMessageAsync(ClientWebSocket socket)
    {
        var chunk = new byte[64 * 1024];
        long sent = 0;
        try
        {
            while (sent < 1L << 30)
            {
                await socket.SendAsync(chunk, WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
                sent += chunk.Length;
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
        }

        return sent;
    }

    private static async Task<WebSocketCloseStatus?> CloseStatusAsync(ClientWebSocket socket)
    {
        using var cancel = new CancellationTokenSource(Patience);
        var buffer = new byte[64 * 1024];
        try
        {
            while ((await socket.ReceiveAsync(buffer, cancel.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        return socket.CloseStatus;
    }
}
