using Microsoft.Extensions.Time.Testing;
using PiStreaming.Processes;

namespace PiStreaming.Tests.Unit;

public class RetryBackoffTests
{
    [Test]
    public void Doubles_from_one_second_up_to_ten()
    {
        var backoff = new RetryBackoff(new FakeTimeProvider());

        Assert.That(Delays(backoff, 6), Is.EqualTo(new[] { 1.0, 2, 4, 8, 10, 10 }));
    }

    [Test]
    public void Starts_over_only_after_a_minute_of_health()
    {
        var time = new FakeTimeProvider();
        var backoff = new RetryBackoff(time);
        Delays(backoff, 5);

        backoff.Working();
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(10)), "59 s of health is not enough");

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(10)), "time between failures without health does not count");

        backoff.Working();
        time.Advance(TimeSpan.FromSeconds(30));
        backoff.Working(); // still the same healthy stretch
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(Delays(backoff, 3), Is.EqualTo(new[] { 1.0, 2, 4 }), "a minute of health starts the sequence over");
    }

    [Test]
    public async Task A_failure_is_reported_at_once_with_its_delay_and_the_retry_comes_after_it()
    {
        var time = new FakeTimeProvider();
        var backoff = new RetryBackoff(time);
        var reported = new List<TimeSpan>();

        var waiting = backoff.WaitAfterFailureAsync(reported.Add, CancellationToken.None);
        Assert.That(reported, Is.EqualTo(new[] { TimeSpan.FromSeconds(1) }));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(waiting.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public async Task A_stop_during_the_wait_ends_it_at_once()
    {
        var backoff = new RetryBackoff(new FakeTimeProvider());
        using var stop = new CancellationTokenSource();

        var waiting = backoff.WaitAfterFailureAsync(_ => { }, stop.Token);
        await stop.CancelAsync();

        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(5)), Is.False);
    }

    [Test]
    public async Task A_failure_that_is_the_stop_itself_is_not_reported()
    {
        var backoff = new RetryBackoff(new FakeTimeProvider());
        var reported = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync(); // the server stops its helper programs only after the stop was asked for

        Assert.That(await backoff.WaitAfterFailureAsync(reported.Add, stop.Token), Is.False);
        Assert.That(reported, Is.Empty);
    }

    private static List<double> Delays(RetryBackoff backoff, int count) => Enumerable.Range(0, count).Select(_ => backoff.Next().TotalSeconds).ToList();
}
