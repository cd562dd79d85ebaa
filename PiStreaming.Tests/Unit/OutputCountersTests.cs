using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using PiStreaming.Metrics;

namespace PiStreaming.Tests.Unit;

public class OutputCountersTests
{
    [Test]
    public void A_send_counts_the_picture_its_bytes_and_its_age_since_the_camera_frame()
    {
        var time = new FakeTimeProvider();
        using var metrics = new ServerMetrics(time);
        var video = metrics.Output("video");
        var frameReadAt = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(7));

        video.Sent(1000, frameReadAt);
        video.Sent(500, 0); // a picture whose frame's arrival is not known: counted, not timed

        Assert.That((video.PicturesSent, video.BytesSent, video.TimedPictures), Is.EqualTo((2L, 1500L, 1L)));
        Assert.That(video.TotalPictureAge, Is.EqualTo(TimeSpan.FromMilliseconds(7)));
        var status = metrics.Snapshot().Outputs.Single();
        Assert.That((status.Name, status.PicturesSent, status.TimedPictures, status.PictureAgeSecondsTotal), Is.EqualTo(("video", 2L, 1L, 0.007)));
    }

    [Test]
    public void Viewers_are_counted_per_output()
    {
        using var metrics = new ServerMetrics(TimeProvider.System);
        metrics.Output("video").Joined();
        metrics.Output("video").Joined();
        metrics.Output("stream.mpg").Joined();
        metrics.Output("video").Left();

        Assert.That(metrics.Snapshot().Outputs.Select(o => (o.Name, o.Viewers)), Is.EqualTo(new[] { ("stream.mpg", 1), ("video", 1) }));
    }

    [Test]
    public void Counting_a_send_allocates_nothing_while_prometheus_listens()
    {
        using var metrics = new ServerMetrics(TimeProvider.System);
        using var exporter = Sdk.CreateMeterProviderBuilder().AddMeter(ServerMetrics.MeterName).AddPrometheusExporter().Build();
        var video = metrics.Output("video");
        var frameReadAt = TimeProvider.System.GetTimestamp();
        video.Sent(1000, frameReadAt); // the first one sets up the histogram's point

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            video.Sent(1000, frameReadAt);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "bytes allocated by 10000 sends");
    }
}
