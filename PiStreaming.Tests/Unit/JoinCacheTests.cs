using Microsoft.Extensions.Time.Testing;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Unit;

/// <summary>The join cache on real encoder output (GOPs of 12: an I picture with sequence header, 11 P pictures).</summary>
internal class JoinCacheTests
{
    private static List<FramedPicture> Framed(IEnumerable<EncodedPicture> pictures, LatencyMode latency = LatencyMode.Low) =>
        pictures.Select(p => FramedPicture.Create(p, latency)).ToList();

    [Test]
    public async Task Real_encoder_output_has_the_GOPs_these_tests_rely_on()
    {
        var pictures = await RealPictures.GetAsync();
        Assert.That(pictures.Select(p => p.Type == PictureType.I), Is.EqualTo(Enumerable.Range(0, 48).Select(i => i % 12 == 0)));
        Assert.That(pictures.Where(p => p.Type == PictureType.I).Select(p => p.HasSequenceHeader), Is.All.True);
    }

    [TestCase(LatencyMode.Low)]
    [TestCase(LatencyMode.Classic)]
    public async Task Late_joiner_starts_at_the_latest_I_picture_with_its_sequence_header_then_gets_every_picture_since(LatencyMode latency)
    {
        var framed = Framed(await RealPictures.GetAsync(), latency);
        var cache = new JoinCache(maxPictures: 24);
        foreach (var picture in framed.Take(17))
        {
            cache.Add(picture);
        }

        var snapshot = cache.Snapshot();

        Assert.That(snapshot, Is.EqualTo(framed[12..17]));
        var messages = MessagesOf(snapshot);
        Assert.That(messages[0].Take(4), Is.EqualTo(new byte[] { 0, 0, 1, 0xB3 }), "the first message starts with a sequence header");
        Assert.That(ReceivedPictures.Describe(messages[0]), Is.EqualTo(new ReceivedPictures.Picture(PictureType.I, 0, true, true)));
        var decoded = await FfmpegProbe.DecodeAsync(messages.SelectMany(m => m).ToArray());
        Assert.That((decoded.Frames, decoded.Errors), Is.EqualTo((5, "")), "the late joiner's stream decodes from its first byte");
    }

    [Test]
    public async Task The_cache_restarts_at_each_join_point()
    {
        var framed = Framed(await RealPictures.GetAsync());
        var cache = new JoinCache(maxPictures: 24);
        foreach (var picture in framed.Take(25))
        {
            cache.Add(picture);
        }

        Assert.That(cache.Snapshot(), Is.EqualTo(new[] { framed[24] }));
        cache.Add(framed[25]);
        Assert.That(cache.Snapshot(), Is.EqualTo(framed[24..26]));
    }

    [Test]
    public async Task Nothing_is_cached_before_the_first_join_point_and_such_a_viewer_starts_at_the_next_one()
    {
        var framed = Framed(await RealPictures.GetAsync());
        var cache = new JoinCache(maxPictures: 24);
        foreach (var picture in framed[1..12])
        {
            cache.Add(picture);
        }

        Assert.That(cache.Snapshot(), Is.Empty);
        var outbox = new ViewerOutbox(maxBacklog: 48, TimeSpan.FromSeconds(5), new FakeTimeProvider());
        outbox.Start(cache.Snapshot());
        Assert.That(outbox.Offer(framed[11]), Is.EqualTo(OfferOutcome.Passed));
        Assert.That(outbox.Offer(framed[12]), Is.EqualTo(OfferOutcome.Queued));
        Assert.That(outbox.TryTake(out var first), Is.True);
        Assert.That(first, Is.EqualTo(new OutgoingPicture(framed[12], StartsStream: true)));
        Assert.That(outbox.SkippedPictures, Is.Zero, "waiting for the first join point is not skipping");
    }

    [Test]
    public async Task A_GOP_longer_than_the_cache_is_not_replayed()
    {
        var framed = Framed(await RealPictures.GetAsync());
        var cache = new JoinCache(maxPictures: 5);
        foreach (var picture in framed[..5])
        {
            cache.Add(picture);
        }

        Assert.That(cache.Snapshot(), Has.Length.EqualTo(5));
        foreach (var picture in framed[5..12])
        {
            cache.Add(picture);
        }

        Assert.That(cache.Snapshot(), Is.Empty, "a new viewer waits for the next join point instead");
        cache.Add(framed[12]);
        Assert.That(cache.Snapshot(), Is.EqualTo(new[] { framed[12] }));
    }

    [Test]
    public void At_any_frame_rate_the_cache_holds_a_whole_GOP()
    {
        // The broadcaster's cache holds half the backlog; ffmpeg's GOP is 12 pictures.
        var policy = new SlowViewerPolicy();
        Assert.That(Enumerable.Range(1, 60).Select(rate => policy.MaxBacklogPictures(rate) / 2), Is.All.GreaterThanOrEqualTo(12));
    }

    /// <summary>What a viewer starting with <paramref name="snapshot"/> is sent, through its real outbox.</summary>
    private static List<byte[]> MessagesOf(FramedPicture[] snapshot)
    {
        var outbox = new ViewerOutbox(maxBacklog: 48, TimeSpan.FromSeconds(5), new FakeTimeProvider());
        outbox.Start(snapshot);
        var messages = new List<byte[]>();
        while (outbox.TryTake(out var next))
        {
            messages.AddRange(next.Messages.Select(m => m.ToArray()));
        }

        return messages;
    }
}
