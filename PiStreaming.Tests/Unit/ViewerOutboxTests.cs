using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace PiStreaming.Tests.Unit;

/// <summary>The slow-viewer policy on real encoder output (GOPs of 12), with a clock that moves only when told.</summary>
public class ViewerOutboxTests
{
    private const int MaxBacklog = 10;
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FrameInterval = TimeSpan.FromSeconds(1 / 24.0);

    private readonly FakeTimeProvider clock = new();
    private List<FramedPicture> framed = [];

    [SetUp]
    public async Task EncodePictures() =>
        framed = (await RealPictures.GetAsync()).Select(p => FramedPicture.Create(p, LatencyMode.Low)).ToList();

    private ViewerOutbox NewOutbox() => new(MaxBacklog, GiveUpAfter, clock);

    /// <summary>Offers pictures one frame interval apart; the viewer takes everything after each when <paramref name="reads"/>.</summary>
    private List<OfferOutcome> Play(ViewerOutbox outbox, IEnumerable<FramedPicture> pictures, bool reads, List<OutgoingPicture>? taken = null)
    {
        var outcomes = new List<OfferOutcome>();
        foreach (var picture in pictures)
        {
            clock.Advance(FrameInterval / 2);
            outcomes.Add(outbox.Offer(picture));
            clock.Advance(FrameInterval / 2);
            while (reads && outbox.TryTake(out var next))
            {
                taken?.Add(next);
            }
        }

        return outcomes;
    }

    [Test]
    public void A_viewer_that_keeps_up_gets_every_picture_once_in_order()
    {
        var outbox = NewOutbox();
        var taken = new List<OutgoingPicture>();

        var outcomes = Play(outbox, framed, reads: true, taken);

        Assert.That(outcomes, Is.All.EqualTo(OfferOutcome.Queued));
        Assert.That(taken.Select(t => t.Picture), Is.EqualTo(framed));
        Assert.That(taken.Select(t => t.StartsStream), Is.EqualTo(framed.Select((_, i) => i == 0)), "only the first is sent whole");
        Assert.That(outbox.SkippedPictures, Is.Zero);
    }

    [Test]
    public void A_viewer_that_stops_reading_drops_its_backlog_and_resumes_on_the_next_I_picture()
    {
        var outbox = NewOutbox();
        var taken = new List<OutgoingPicture>();
        Play(outbox, framed[..1], reads: true, taken); // its stream has started

        var outcomes = Play(outbox, framed[1..12], reads: false);

        Assert.That(outcomes[..MaxBacklog], Is.All.EqualTo(OfferOutcome.Queued));
        Assert.That(outcomes[MaxBacklog], Is.EqualTo(OfferOutcome.StartedSkipping), "picture 11 finds 10 waiting");
        Assert.That(outbox.Count, Is.Zero, "the stale backlog is gone");

        Assert.That(outbox.Offer(framed[12]), Is.EqualTo(OfferOutcome.Queued));
        Assert.That(outbox.TryTake(out var resumed), Is.True);
        Assert.That(resumed, Is.EqualTo(new OutgoingPicture(framed[12], StartsStream: false)),
            "it goes on at the I picture as a continuing message: the sequence header went out with its first picture");
        Assert.That(outbox.SkippedPictures, Is.EqualTo(11));
    }

    [Test]
    public void A_viewer_whose_first_picture_never_left_restarts_at_a_join_point_sent_whole()
    {
        var outbox = NewOutbox();
        outbox.Start(framed[..1]);

        Play(outbox, framed[1..13], reads: false);
        Assert.That(outbox.TryTake(out var resumed), Is.True);

        Assert.That(resumed, Is.EqualTo(new OutgoingPicture(framed[12], StartsStream: true)), "without its sequence header the stream could not be decoded");
    }

    [Test]
    public void A_skipping_viewer_that_catches_up_is_not_given_up_on()
    {
        var outbox = NewOutbox();
        Play(outbox, framed[..1], reads: true);
        Play(outbox, framed[1..12], reads: false);

        // It reads again, then falls behind again in every GOP, for well over GiveUpAfter in all.
        var outcomes = new List<OfferOutcome>();
        for (var round = 0; round < 20; round++)
        {
            outcomes.AddRange(Play(outbox, framed[12..13], reads: true));
            outcomes.AddRange(Play(outbox, framed[13..24], reads: false));
        }

        Assert.That(outcomes, Does.Not.Contain(OfferOutcome.GaveUp));
        Assert.That(outcomes.Count(o => o == OfferOutcome.StartedSkipping), Is.EqualTo(20), "each time it fell behind anew");
    }

    [Test]
    public async Task A_viewer_that_stays_behind_is_given_up_on_after_the_limit()
    {
        var outbox = NewOutbox();
        Play(outbox, framed[..1], reads: true);
        Play(outbox, framed[1..12], reads: false); // starts skipping at picture 11

        clock.Advance(GiveUpAfter - FrameInterval - TimeSpan.FromMilliseconds(1));
        Assert.That(outbox.Offer(framed[12]), Is.EqualTo(OfferOutcome.Queued), "an I picture; the viewer still has time");
        clock.Advance(FrameInterval);
        Assert.That(outbox.Offer(framed[13]), Is.EqualTo(OfferOutcome.GaveUp), "it never took the I picture");

        Assert.That(outbox.Offer(framed[14]), Is.EqualTo(OfferOutcome.Passed), "given up once");
        outbox.Close(); // as the broadcaster does, once it has told the viewer why
        Assert.That(outbox.Count, Is.Zero);
        Assert.That(await outbox.WaitAsync(CancellationToken.None), Is.False, "its send loop ends");
    }

    [Test]
    public void Offering_to_a_stalled_viewer_never_blocks_and_its_backlog_stays_bounded()
    {
        var outbox = NewOutbox();
        Play(outbox, framed[..1], reads: true);

        var counts = new List<int>();
        for (var i = 1; i < 4 * framed.Count && outbox.Offer(framed[i % framed.Count]) != OfferOutcome.GaveUp; i++)
        {
            clock.Advance(FrameInterval);
            counts.Add(outbox.Count);
        }

        Assert.That(counts.Max(), Is.LessThanOrEqualTo(MaxBacklog));
        Assert.That(counts.Count * FrameInterval, Is.EqualTo(GiveUpAfter + MaxBacklog * FrameInterval).Within(TimeSpan.FromMilliseconds(100)),
            "given up GiveUpAfter after its backlog first overflowed");
    }
}
