using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>Instant start: a viewer connecting mid-GOP gets the current GOP at once, then the live stream.</summary>
internal class LateJoinerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_late_joiner_starts_with_the_I_picture_already_sent_and_decodes_from_its_first_message([Values] LatencyMode latency)
    {
        await using var server = await TestServer.StartAsync(new ServerOptions { Width = 320, Height = 240, Latency = latency });
        using var early = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        using var cancel = new CancellationTokenSource(Patience);

        // Watch until the stream is a few pictures into a GOP, then let the second viewer in.
        var earlyMessages = new List<byte[]> { (await early.ReceiveMessageAsync(cancel.Token))! };
        while (ReceivedPictures.Describe(earlyMessages[^1]) is not { Type: PictureType.P, TemporalReference: >= 4 and <= 8 })
        {
            earlyMessages.Add((await early.ReceiveMessageAsync(cancel.Token))!);
        }

        var intraBeforeJoin = earlyMessages.Last(m => ReceivedPictures.Describe(m) is { Type: PictureType.I });
        using var late = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        var lateMessages = await late.ReceiveMessagesAsync(1 + 40, Patience);
        earlyMessages.AddRange(await early.ReceiveMessagesAsync(60, Patience));

        var video = lateMessages.Skip(1).ToList();
        var pictures = ReceivedPictures.DescribeAll(video);
        Assert.That(pictures[0], Is.EqualTo(new ReceivedPictures.Picture(PictureType.I, 0, HasSequenceHeader: true, IsWhole: true)),
            "it starts at a join point");
        // The early viewer got that I picture as a continuing message (in low-latency mode: without its
        // start code, with the next one's) or as its own first picture, whole.
        var intraBody = ReceivedPictures.Describe(intraBeforeJoin)!.Value.IsWhole ? intraBeforeJoin : intraBeforeJoin[..^4];
        Assert.That(video[0].AsSpan().EndsWith(intraBody), Is.True,
            "it starts with the I picture sent before it connected: it did not wait for the next one");
        Assert.That(ReceivedPictures.Gaps(pictures), Is.Empty, "no picture missing or repeated between the cache and the live stream");

        // From its second picture on it gets exactly what the early viewer got.
        var laterMessages = video.Skip(latency == LatencyMode.Low ? 2 : 1).Select(Convert.ToBase64String).ToList();
        var earlyStrings = earlyMessages.Select(Convert.ToBase64String).ToList();
        var offset = earlyStrings.IndexOf(laterMessages[0]);
        Assert.That(offset, Is.GreaterThan(0));
        Assert.That(laterMessages.Take(30), Is.EqualTo(earlyStrings.Skip(offset).Take(30)));

        var decoded = await FfmpegProbe.DecodeAsync(video.SelectMany(m => m).ToArray());
        Assert.That(decoded.Errors, Is.Empty);
        Assert.That(decoded.Frames, Is.EqualTo(pictures.Count), "every picture decodes");
    }
}
