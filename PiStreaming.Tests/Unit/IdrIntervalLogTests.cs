using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PiStreaming.Pipeline;

namespace PiStreaming.Tests.Unit;

public class IdrIntervalLogTests
{
    private FakeTimeProvider time = null!;
    private FakeLogger logger = null!;

    [SetUp]
    public void CreateClockAndLog()
    {
        time = new FakeTimeProvider();
        logger = new FakeLogger();
    }

    [Test]
    public void A_camera_with_an_idr_picture_every_second_is_logged_once_as_information()
    {
        var log = new IdrIntervalLog("webcam /dev/video0", joinCachePictures: 24, time, logger);

        Pictures(log, groups: 4, picturesPerGroup: 24, picturesPerSecond: 24);

        Assert.That(logger.Collector.Count, Is.EqualTo(1), "the same interval again is not news");
        Assert.That(logger.LatestRecord.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(logger.LatestRecord.Message, Is.EqualTo("webcam /dev/video0: an IDR picture every 24 pictures (1 s); new H.264 viewers start at one"));
    }

    [Test]
    public void A_webcams_long_group_is_warned_about_with_what_it_means_for_viewers()
    {
        var log = new IdrIntervalLog("webcam /dev/video0", joinCachePictures: 24, time, logger);

        Pictures(log, groups: 1, picturesPerGroup: 24, picturesPerSecond: 24);
        Pictures(log, groups: 2, picturesPerGroup: 72, picturesPerSecond: 24);
        Pictures(log, groups: 1, picturesPerGroup: 48, picturesPerSecond: 24);
        log.Observe(Picture(PictureType.I));

        Assert.That(logger.Collector.GetSnapshot().Select(r => r.Level), Is.EqualTo(new[] { LogLevel.Information, LogLevel.Warning }),
            "the first interval, then the longer one; not the shorter one after it");
        Assert.That(logger.LatestRecord.Message, Does.StartWith("webcam /dev/video0: an IDR picture every 72 pictures (3 s), more than the 24")
            .And.Contain("a new viewer may wait that long for its first picture").And.Contain("v4l2-ctl --list-ctrls"));
    }

    [Test]
    public void Nothing_is_logged_before_the_second_idr_picture()
    {
        var log = new IdrIntervalLog("webcam /dev/video0", joinCachePictures: 24, time, logger);
        log.Observe(Picture(PictureType.P));
        log.Observe(Picture(PictureType.I));
        for (var i = 0; i < 100; i++)
        {
            log.Observe(Picture(PictureType.P));
        }

        Assert.That(logger.Collector.Count, Is.Zero);
    }

    // Groups of pictures, each an IDR picture followed by P pictures, one frame interval apart.
    private void Pictures(IdrIntervalLog log, int groups, int picturesPerGroup, double picturesPerSecond)
    {
        for (var group = 0; group < groups; group++)
        {
            for (var i = 0; i < picturesPerGroup; i++)
            {
                log.Observe(Picture(i == 0 ? PictureType.I : PictureType.P));
                time.Advance(TimeSpan.FromSeconds(1 / picturesPerSecond));
            }
        }
    }

    private EncodedPicture Picture(PictureType type) => new(new byte[16], type, type == PictureType.I) { FrameReadAt = time.GetTimestamp() };
}
