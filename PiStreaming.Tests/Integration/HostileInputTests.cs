using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// What a hostile tester sends, against the real server process: every request gets the right status
/// or close code, the log has no stack trace, and a viewer watching throughout misses no picture.
/// </summary>
[NonParallelizable]
public class HostileInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private ServerProcess server = null!;
    private int httpPort, wsPort;
    private WebSocketViewer watcher = null!;
    private Task<List<(TimeSpan At, byte[] Data)>> watching = null!;
    private System.Diagnostics.Stopwatch watched = null!;

    [OneTimeSetUp]
    public async Task StartServerWithAViewer()
    {
        server = ServerProcess.Start(ServerProcess.Loopback);
        (httpPort, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        watcher = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        watching = watcher.ReceiveForAsync(TimeSpan.FromSeconds(600));
        watched = System.Diagnostics.Stopwatch.StartNew();
    }

    [OneTimeTearDown]
    public async Task TheViewerMissedNothingAndTheLogHasNoStackTrace()
    {
        // Watch for a few seconds at least, so that a stalled stream would show.
        await Task.Delay(TimeSpan.FromSeconds(3) - TimeSpan.FromTicks(Math.Min(watched.Elapsed.Ticks, TimeSpan.FromSeconds(3).Ticks)));
        var seconds = watched.Elapsed.TotalSeconds;
        await watcher.CloseOutputAsync();
        var messages = await watching;
        watcher.Dispose();
        server.Signal(ServerProcess.SIGTERM);
        var exitCode = await server.WaitForExitAsync(Patience);
        var log = server.StandardError;
        server.Dispose();

        var pictures = ReceivedPictures.DescribeAll(messages.Skip(1).Select(m => m.Data));
        TestContext.Out.WriteLine($"the viewer watching throughout got {pictures.Count} pictures");
        Assert.That(pictures, Has.Count.GreaterThanOrEqualTo((int)(seconds * 24 * 0.9)), "the stream went on at full rate");
        Assert.That(ReceivedPictures.Gaps(pictures), Is.Empty, "no picture was missed");
        Assert.That(exitCode, Is.Zero, log);
        Assert.That(log, Does.Not.Contain("Exception").And.Not.Contain("   at ").And.Not.Contain("fail:"));
    }

    [TestCase("GARBAGE\r\n\r\n", 400, TestName = "Malformed request line")]
    [TestCase("GET /index.html HTTP/1.1\r\n\r\n", 400, TestName = "No Host header")]
    [TestCase("GET /index.html HTTP/1.1\r\nHost: a b\r\n\r\n", 400, TestName = "Host header with a space")]
    [TestCase("GET /index.html HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, TestName = "Header line without a colon")]
    [TestCase("GET /index.html HTTP/9.9\r\nHost: x\r\n\r\n", 505, TestName = "Unknown HTTP version")]
    [TestCase("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, TestName = "Content-Length that is no number")]
    [TestCase("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 405,
        TestName = "Smuggling: Content-Length and Transfer-Encoding (the chunked body wins, RFC 9112)")]
    [TestCase("POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n", 400, TestName = "Smuggling: chunked not last")]
    [TestCase("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, TestName = "Smuggling: two Content-Lengths")]
    [TestCase("DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n", 405, TestName = "Method the page does not take")]
    [TestCase("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 404, TestName = "Path traversal")]
    public async Task Malformed_page_requests_get_the_right_status(string request, int status) =>
        Assert.That(await RawConnection.StatusOfAsync(httpPort, request, Patience), Is.EqualTo(status));

    [Test]
    public async Task Oversized_headers_get_431()
    {
        var request = $"GET /index.html HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n";
        Assert.That(await RawConnection.StatusOfAsync(httpPort, request, Patience), Is.EqualTo(431));
    }

    [Test]
    public async Task Too_many_headers_get_431()
    {
        var request = "GET /index.html HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n")) + "\r\n";
        Assert.That(await RawConnection.StatusOfAsync(httpPort, request, Patience), Is.EqualTo(431));
    }

    [TestCase("", 426, TestName = "Plain request to the video port")]
    [TestCase("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", 400, TestName = "Handshake without a key")]
    [TestCase("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", 400,
        TestName = "Handshake of another version")]
    [TestCase("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n", 400,
        TestName = "Handshake with a malformed key")]
    public async Task Bad_handshakes_are_answered_before_any_upgrade(string headers, int status)
    {
        using var connection = await RawConnection.ConnectAsync(wsPort);
        await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{wsPort}\r\n{headers}\r\n"));
        var head = await connection.ReadHeadAsync(Patience);

        Assert.That(head, Does.StartWith($"HTTP/1.1 {status} "));
        Assert.That(head, Does.Contain("Sec-WebSocket-Version: 13\r\n"), "RFC 6455: say which version the server speaks");
    }

    [TestCase((byte)0x83, true, 1002, TestName = "Reserved opcode")]
    [TestCase((byte)0xC2, true, 1002, TestName = "Reserved bit set")]
    [TestCase((byte)0x00, true, 1002, TestName = "Continuation with nothing to continue")]
    [TestCase((byte)0x09, true, 1002, TestName = "Fragmented ping")]
    [TestCase((byte)0x81, true, 1007, TestName = "Text that is not UTF-8")]
    public async Task Bad_websocket_frames_close_the_viewer_with_the_right_code(byte finAndOpcode, bool masked, int closeCode)
    {
        using var connection = await RawConnection.ConnectAsync(wsPort);
        await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawConnection.Handshake(wsPort)));
        Assert.That(await connection.ReadHeadAsync(Patience), Does.StartWith("HTTP/1.1 101 "));

        await connection.SendFrameAsync(finAndOpcode, [0xC3, 0x28, 0xFF], masked);

        Assert.That(await connection.ReadCloseCodeAsync(Patience), Is.EqualTo(closeCode));
    }

    [Test]
    public async Task A_ping_longer_than_125_bytes_closes_the_viewer_with_1002()
    {
        using var connection = await RawConnection.ConnectAsync(wsPort);
        await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawConnection.Handshake(wsPort)));
        Assert.That(await connection.ReadHeadAsync(Patience), Does.StartWith("HTTP/1.1 101 "));

        await connection.SendFrameAsync(0x89, new byte[200]);

        Assert.That(await connection.ReadCloseCodeAsync(Patience), Is.EqualTo(1002));
    }

    [Test]
    public async Task A_cross_site_handshake_is_refused_with_403_and_one_log_line_for_a_burst()
    {
        for (var i = 0; i < 20; i++)
        {
            using var connection = await RawConnection.ConnectAsync(wsPort);
            await connection.SendAsync(System.Text.Encoding.ASCII.GetBytes(RawConnection.Handshake(wsPort, "Origin: http://evil.example\r\n")));
            Assert.That(await connection.ReadHeadAsync(Patience), Does.StartWith("HTTP/1.1 403 "));
        }

        await server.WaitForLogAsync("origin http://evil.example", Patience);
        Assert.That(server.StandardError.Split('\n').Count(l => l.Contains("origin http://evil.example", StringComparison.Ordinal)), Is.EqualTo(1),
            "one line for the burst of 20");
    }
}
