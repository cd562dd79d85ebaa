using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class RetryBackoffTests
{
    [Test]
    public void Doubles_from_one_second_up_to_ten_and_starts_over_after_a_reset()
    {
        var backoff = new RetryBackoff();
        var delays = Enumerable.Range(0, 6).Select(_ => backoff.Next().TotalSeconds).ToList();
        Assert.That(delays, Is.EqualTo(new[] { 1.0, 2, 4, 8, 10, 10 }));

        backoff.Reset();
        Assert.That(backoff.Next(), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }
}
