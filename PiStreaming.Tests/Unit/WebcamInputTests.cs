using PiStreaming.Options;
using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

internal class WebcamInputTests
{
    [TestCase(VideoCodecs.H264, 640, 480, false, true, "offers H.264 at 640x480: passing it through")]
    [TestCase(VideoCodecs.H264, 1280, 720, false, true, "offers H.264 at 1280x720: passing it through")]
    [TestCase(VideoCodecs.H264, 2304, 1296, false, false, "offers H.264 at 640x480, 160x90")]
    [TestCase(VideoCodecs.H264, 640, 480, true, false, "flipping it would mean decoding and encoding it again")]
    [TestCase(VideoCodecs.Both, 640, 480, false, false, "--codec both needs raw frames for the MPEG-1 encoder")]
    [TestCase(VideoCodecs.Mpeg1, 640, 480, false, false, "--codec mpeg1 needs raw frames")]
    public void The_webcams_h264_is_passed_through_only_when_h264_alone_is_wanted_unflipped_at_a_size_it_offers(
        VideoCodecs codec, int width, int height, bool flip, bool passesThrough, string why)
    {
        var options = new ServerOptions { Source = "v4l2", Codec = codec, Width = width, Height = height, VerticalFlip = flip };
        var input = WebcamInput.Choose(options, "/dev/video0", WebcamFormats.Parse(WebcamFormatsTests.C920));
        Assert.That(input.PassesH264Through, Is.EqualTo(passesThrough));
        Assert.That(input.Why, Does.StartWith("webcam /dev/video0").And.Contain(why));
    }

    [Test]
    public void A_webcam_without_h264_gives_raw_frames()
    {
        var listing = string.Join('\n', WebcamFormatsTests.C920.Split('\n').Where(line => !line.Contains("h264")));
        var input = WebcamInput.Choose(new ServerOptions { Source = "v4l2", Codec = VideoCodecs.H264 }, "/dev/video0", WebcamFormats.Parse(listing));
        Assert.That(input.PassesH264Through, Is.False);
        Assert.That(input.Why, Is.EqualTo("webcam /dev/video0 offers no H.264 (yuyv422, mjpeg); reading raw frames and encoding H.264"));

        var quiet = WebcamInput.Choose(new ServerOptions { Source = "v4l2", Codec = VideoCodecs.Both }, "/dev/video0", WebcamFormats.Parse(listing));
        Assert.That(quiet, Is.EqualTo(new WebcamInput(false, null)), "nothing to say when H.264 is not even asked for");
    }

    [Test]
    public void A_webcam_that_cannot_be_asked_gives_raw_frames()
    {
        var input = WebcamInput.Choose(new ServerOptions { Source = "v4l2", Codec = VideoCodecs.H264 }, "/dev/video0", WebcamFormats.None);
        Assert.That(input.PassesH264Through, Is.False);
        Assert.That(input.Why, Does.Contain("its formats could not be listed"));
    }
}
