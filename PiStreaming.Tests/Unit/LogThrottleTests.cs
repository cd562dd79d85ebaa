using Microsoft.Extensions.Time.Testing;
using PiStreaming.Logging;

namespace PiStreaming.Tests.Unit;

public class LogThrottleTests
{
    private readonly FakeTimeProvider time = new();

    [Test]
    public void One_line_per_interval_and_the_next_line_counts_the_events_in_between()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), time);

        Assert.That(throttle.TryLog(out var first), Is.True);
        Assert.That(first, Is.Zero);
        var quiet = Enumerable.Range(0, 500).Count(_ => throttle.TryLog(out _));
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.That(throttle.TryLog(out _), Is.False, "still within the interval");
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.That(throttle.TryLog(out var more), Is.True);

        Assert.That(quiet, Is.Zero, "a burst gets no line of its own");
        Assert.That(more, Is.EqualTo(501));
        Assert.That(LogThrottle.More(more), Is.EqualTo(" (and 501 more since the last such line)"));
        Assert.That(LogThrottle.More(0), Is.Empty);
    }
}
