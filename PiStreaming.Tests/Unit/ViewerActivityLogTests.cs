using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PiStreaming.Fanout;

namespace PiStreaming.Tests.Unit;

public class ViewerActivityLogTests
{
    private readonly FakeTimeProvider clock = new();
    private readonly FakeLogger logger = new();

    private List<string> Lines => [.. logger.Collector.GetSnapshot().Select(r => r.Message)];

    private Viewer NewViewer(int id) => new(id, $"10.0.0.{id % 250}:5000", "video", clock.GetTimestamp());

    [Test]
    public void A_crowd_gives_a_few_lines_and_then_a_summary_with_every_count()
    {
        var log = new ViewerActivityLog(logger, clock);
        var viewers = Enumerable.Range(1, 1000).Select(NewViewer).ToList();
        for (var i = 0; i < viewers.Count; i++)
        {
            log.Joined(viewers[i], i + 1);
        }

        log.StartedSkipping(viewers[0]);
        log.GaveUp(viewers[0]);
        log.Left(viewers[0], 999);
        log.Refused("10.0.0.9:5000", "video", "server full");

        Assert.That(Lines, Has.Count.LessThanOrEqualTo(20), "a crowd must not flood the log (or block the publishing loop)");
        log.LogSummary(TimeSpan.FromSeconds(30), skippedPictures: 42);
        Assert.That(Lines[^1], Does.Contain("999 watching (peak 1000)").And.Contain("1000 joined, 1 left, 1 refused")
            .And.Contain("1 fell behind, 1 closed as too slow, 42 pictures skipped").And.Contain("per-viewer lines not shown"));
    }

    [Test]
    public void Per_viewer_lines_come_back_as_time_passes_and_quiet_intervals_log_nothing()
    {
        var log = new ViewerActivityLog(logger, clock);
        for (var i = 1; i <= 100; i++)
        {
            log.Joined(NewViewer(i), i);
        }

        log.LogSummary(TimeSpan.FromSeconds(30), 0);
        var linesSoFar = Lines.Count;
        log.LogSummary(TimeSpan.FromSeconds(30), 0);
        Assert.That(Lines, Has.Count.EqualTo(linesSoFar), "nothing happened: no summary");

        clock.Advance(TimeSpan.FromSeconds(10));
        log.StartedSkipping(NewViewer(7));
        Assert.That(Lines[^1], Does.Contain("viewer 7").And.Contain("skipping ahead to the next I picture"));
    }

    [Test]
    public void A_viewer_leaving_says_how_long_it_watched_by_the_servers_clock()
    {
        var log = new ViewerActivityLog(logger, clock);
        var viewer = NewViewer(3);
        clock.Advance(TimeSpan.FromSeconds(42));
        viewer.SkippedPictures = 5;
        log.Left(viewer, 0);
        Assert.That(Lines[^1], Is.EqualTo("viewer 3 left after 42 s (0 watching; 5 pictures skipped for it)"));
    }
}
