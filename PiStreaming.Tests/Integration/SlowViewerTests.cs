using System.Diagnostics;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>Viewers that stop reading, on real sockets whose TCP window fills up.</summary>
internal class SlowViewerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Enough bytes per second that a stalled viewer's socket buffers fill within a couple of seconds.
    private static ServerOptions HeavyStream(SlowViewerPolicy policy, LatencyMode latency = LatencyMode.Low) =>
        new() { Width = 640, Height = 480, FrameRate = 30, SlowViewers = policy, Latency = latency };

    [TestCase(LatencyMode.Low)]
    [TestCase(LatencyMode.Classic)]
    public async Task A_viewer_that_stops_reading_skips_ahead_and_resumes_on_an_I_picture_that_decodes_cleanly(LatencyMode latency)
    {
        await using var server = await TestServer.StartAsync(HeavyStream(new SlowViewerPolicy
        {
            MaxBacklog = TimeSpan.FromSeconds(1),
            GiveUpAfter = TimeSpan.FromMinutes(1),
        }, latency));
        using var stalled = await StalledViewer.ConnectAsync("127.0.0.1", server.Server.WebSocketPort);
        using var healthy = await WebSocketViewer.ConnectAsync(server.WebSocketUri);

        // Buffers fill, then one second of backlog: the server must skip for it.
        await Eventually.HoldsAsync(() => server.Server.SkippedPictures > 0, Patience, "the server skipped pictures for the stalled viewer");
        var received = await stalled.ResumeAsync(TimeSpan.FromSeconds(3));

        Assert.That(received.ConnectionEnded, Is.False, "it reads again, so it is not given up on");
        var video = received.Messages.Skip(1).ToList();
        var pictures = ReceivedPictures.DescribeAll(video);
        Assert.That(pictures[0], Is.EqualTo(new ReceivedPictures.Picture(PictureType.I, 0, HasSequenceHeader: true, IsWhole: true)));
        var gaps = ReceivedPictures.Gaps(pictures);
        TestContext.Out.WriteLine($"{pictures.Count} pictures after resuming, gaps before {string.Join(", ", gaps)}; {server.Server.SkippedPictures} skipped");
        Assert.That(gaps.Select(i => pictures[i].Type), Is.All.EqualTo(PictureType.I), "after skipping it goes on at an I picture");
        // Low mode: a message continuing the stream (its start code came before it). Classic: ffmpeg's bytes as they are.
        Assert.That(gaps.Select(i => pictures[i].IsWhole), Is.All.EqualTo(latency == LatencyMode.Classic), "framed like every other picture of its mode");
        var decoded = await FfmpegProbe.DecodeAsync(video.SelectMany(m => m).ToArray());
        Assert.That((decoded.Errors, decoded.Frames), Is.EqualTo(("", pictures.Count)));
        Assert.That(server.Server.ViewerCount, Is.EqualTo(2));
    }

    [Test]
    public async Task A_viewer_that_stays_stalled_is_closed_while_a_healthy_one_keeps_full_rate()
    {
        var policy = new SlowViewerPolicy { MaxBacklog = TimeSpan.FromSeconds(1), GiveUpAfter = TimeSpan.FromSeconds(2) };
        await using var server = await TestServer.StartAsync(HeavyStream(policy));
        using var stalled = await StalledViewer.ConnectAsync("127.0.0.1", server.Server.WebSocketPort);
        using var healthy = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        await healthy.ReceiveMessagesAsync(1 + 2, Patience);

        // Six seconds of pictures while the stalled one fills its buffers, skips, and is given up on.
        var stopwatch = Stopwatch.StartNew();
        var messages = await healthy.ReceiveMessagesAsync(180, TimeSpan.FromSeconds(15));
        stopwatch.Stop();

        Assert.That(messages, Has.Count.EqualTo(180));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(9)), "180 pictures at 30 fps take 6 s; slack for a busy machine");
        Assert.That(ReceivedPictures.Gaps(ReceivedPictures.DescribeAll(messages)), Is.Empty, "the healthy viewer missed nothing");
        await Eventually.HoldsAsync(() => server.Server.ViewerCount == 1, Patience, "the stalled viewer was closed");
        var leftovers = await stalled.ResumeAsync(Patience);
        TestContext.Out.WriteLine($"stalled viewer: {leftovers.Messages.Count} messages, then {leftovers.CloseStatus?.ToString() ?? "no close frame"}");
        Assert.That(leftovers.ConnectionEnded, Is.True, "the server ended the stalled connection");
        Assert.That(leftovers.CloseStatus, Is.Null.Or.EqualTo(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation),
            "closed with 1008 if the close frame got through its full window, else aborted");

        using var http = new HttpClient { Timeout = Patience };
        var metrics = PrometheusText.Parse(await http.GetStringAsync(new Uri(server.HttpUri, "metrics")));
        Assert.That(metrics.Value("pistreaming_viewers_closed_too_slow_total"), Is.EqualTo(1), "/metrics counts the stalled viewer");
        Assert.That(metrics.Value("pistreaming_pictures_skipped_total"), Is.GreaterThan(0));
        Assert.That(metrics.Value("pistreaming_viewers", ("output", "video")), Is.EqualTo(1), "the healthy one");
    }

    [Test]
    public async Task A_stalled_viewer_pins_no_more_of_the_servers_buffers_than_its_write_limit_and_one_picture()
    {
        const int Stalled = 10;
        using var kestrelMemory = new KestrelMemoryInUse();
        await using var server = await TestServer.StartAsync(HeavyStream(new SlowViewerPolicy
        {
            MaxBacklog = TimeSpan.FromSeconds(1),
            GiveUpAfter = TimeSpan.FromMinutes(1),
        }));
        using var healthy = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        await healthy.ReceiveMessagesAsync(1 + 2, Patience);
        var before = kestrelMemory.Bytes;

        var stalled = new List<StalledViewer>();
        try
        {
            for (var i = 0; i < Stalled; i++)
            {
                stalled.Add(await StalledViewer.ConnectAsync("127.0.0.1", server.Server.WebSocketPort));
            }

            // A stalled viewer skips once its socket's buffers are full and then a second of pictures has waited
            // in its outbox: by then whatever the server buffers for it is as full as it gets.
            await Eventually.HoldsAsync(() => server.Server.SkippedPictures >= Stalled * 30, Patience, "every stalled viewer skipped pictures");
            var perViewer = (kestrelMemory.Bytes - before) / Stalled;
            TestContext.Out.WriteLine($"Kestrel's pool: {before} bytes in use with one healthy viewer, {perViewer} more per stalled viewer");

            // The writer may fill the pipe up to the limit, and the picture that crosses it goes in whole (pictures of
            // this stream stay well under 32 KiB); Kestrel's default limit alone (64 KiB) would exceed this.
            Assert.That(perViewer, Is.LessThanOrEqualTo(Web.WebServer.WriteBufferBytes + 32 * 1024));
            Assert.That(server.Server.ViewerCount, Is.EqualTo(1 + Stalled), "none given up on yet");
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task Stopping_the_server_does_not_wait_for_a_viewer_whose_sends_are_stuck()
    {
        var server = await TestServer.StartAsync(HeavyStream(new SlowViewerPolicy { GiveUpAfter = TimeSpan.FromMinutes(1) }));
        using var stalled = await StalledViewer.ConnectAsync("127.0.0.1", server.Server.WebSocketPort);
        await Eventually.HoldsAsync(() => server.Server.SkippedPictures > 0, Patience, "the server skipped pictures for the stalled viewer");

        var stopwatch = Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "asked to close, then aborted after a short timeout");
    }
}
