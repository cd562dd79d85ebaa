using Microsoft.Extensions.Logging;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Tests.Support;
using Microsoft.Extensions.Logging.Testing;

namespace PiStreaming.Tests.Unit;

public class JsmpgPictureLimitTests
{
    [TestCase(640, 480, 800)]
    [TestCase(1280, 720, 4000)]
    [TestCase(1920, 1080, 5000)]
    [TestCase(640, 480, 20000)]
    public void Ordinary_settings_get_no_warning(int width, int height, int bitrate) =>
        Assert.That(JsmpgPictureLimit.StartupWarning(new ServerOptions { Width = width, Height = height, BitrateKbps = bitrate }), Is.Null);

    [Test]
    public void Large_pictures_at_high_bitrates_are_warned_about_with_the_option_to_lower()
    {
        var warning = JsmpgPictureLimit.StartupWarning(new ServerOptions { Width = 1920, Height = 1080, BitrateKbps = 12000, FrameRate = 24 });
        Assert.That(warning, Does.Contain("512 KiB").And.Contain("lower --bitrate (to about 6200 or less)"));
    }

    [Test]
    public void A_real_picture_near_the_limit_is_warned_about_once_not_for_every_picture()
    {
        var logger = new FakeLogger();
        var limit = new JsmpgPictureLimit(logger);

        limit.Check(EncodedPicture.Parse(new byte[300 * 1024]));
        Assert.That(logger.Collector.Count, Is.Zero, "300 KiB is comfortably inside");

        limit.Check(EncodedPicture.Parse(new byte[600 * 1024]));
        limit.Check(EncodedPicture.Parse(new byte[600 * 1024]));

        Assert.That(logger.Collector.Count, Is.EqualTo(1));
        Assert.That(logger.LatestRecord.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(logger.LatestRecord.Message, Does.Contain("600 KiB is larger than the 512 KiB").And.Contain("lower --bitrate"));
    }
}
