using System.Diagnostics;
using System.Net.Sockets;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// More idle connections than the process has file descriptors: the server refuses the surplus early,
/// closes the idle ones after 10 s, and its viewer misses nothing. Before, accepting failed in a tight
/// loop once the descriptors ran out and the runtime aborted.
/// </summary>
public class DescriptorFloodTests
{
    private const int DescriptorLimit = 256;
    private const int Flood = 300;

    [Test]
    public async Task A_flood_of_idle_connections_beyond_the_descriptor_limit_neither_kills_the_server_nor_disturbs_its_viewer()
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback, descriptorLimit: DescriptorLimit);
        var (httpPort, wsPort) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        Assert.That(await viewer.ReceiveMessagesAsync(3, TimeSpan.FromSeconds(10)), Has.Count.EqualTo(3), server.StandardError);
        var watching = viewer.ReceiveForAsync(TimeSpan.FromSeconds(14));

        var clock = Stopwatch.StartNew();
        var idle = new List<Socket>();
        try
        {
            var resetWhileConnecting = new List<TimeSpan>();
            for (var i = 0; i < Flood; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync("127.0.0.1", i % 4 == 0 ? httpPort : wsPort);
                    idle.Add(socket);
                }
                catch (SocketException)
                {
                    // Refused so fast that the reset overtook the end of connect().
                    resetWhileConnecting.Add(clock.Elapsed);
                    socket.Dispose();
                }
            }

            var floodedIn = clock.Elapsed;
            var closedAt = resetWhileConnecting.Concat(await Task.WhenAll(idle.Select(s => ClosedAtAsync(s, clock, TimeSpan.FromSeconds(20))))).ToList();
            var messages = await watching;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var page = await http.GetAsync($"http://127.0.0.1:{httpPort}/index.html");

            var refused = closedAt.Count(t => t < floodedIn + TimeSpan.FromSeconds(2));
            var heldThenClosed = closedAt.Where(t => t >= floodedIn + TimeSpan.FromSeconds(2)).ToList();
            var pictures = ReceivedPictures.DescribeAll(messages.Select(m => m.Data));
            TestContext.Out.WriteLine($"{Flood} idle connections in {floodedIn.TotalMilliseconds:0} ms under ulimit -n {DescriptorLimit}: "
                + $"{refused} refused at once, {heldThenClosed.Count} held and closed after "
                + $"{(heldThenClosed.Count > 0 ? heldThenClosed.Min().TotalSeconds : 0):0.0}-{(heldThenClosed.Count > 0 ? heldThenClosed.Max().TotalSeconds : 0):0.0} s; "
                + $"the viewer got {pictures.Count} pictures meanwhile");

            Assert.That(server.Process.HasExited, Is.False, server.StandardError);
            Assert.That(closedAt, Has.All.Not.EqualTo(TimeSpan.MaxValue), "every idle connection was closed");
            Assert.That(refused, Is.GreaterThan(0), "the surplus is refused");
            Assert.That(heldThenClosed, Is.Not.Empty, "the server held some");
            Assert.That(heldThenClosed, Has.All.InRange(TimeSpan.FromSeconds(9), floodedIn + TimeSpan.FromSeconds(13)), "closed after about 10 s");
            Assert.That(pictures, Has.Count.GreaterThanOrEqualTo(14 * 24 * 9 / 10), "the viewer kept full rate");
            Assert.That(ReceivedPictures.Gaps(pictures), Is.Empty, "and missed no picture");
            Assert.That(page.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "the page loads again");
            Assert.That(server.StandardError.Split('\n').Count(l => l.Contains("refusing new connections", StringComparison.Ordinal)), Is.InRange(1, 2),
                "one rate-limited line, not one per connection");
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    /// <returns>when the server closed the connection, or TimeSpan.MaxValue if it did not within <paramref name="timeout"/>.</returns>
    private static async Task<TimeSpan> ClosedAtAsync(Socket socket, Stopwatch clock, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var buffer = new byte[64];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return TimeSpan.MaxValue;
        }
        catch (SocketException)
        {
        }

        return clock.Elapsed;
    }
}
