using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class WebcamFormatsTests
{
    // Lines as ffmpeg prints them for `-f v4l2 -list_formats all -i /dev/video0` (libavdevice/v4l2.c), with the sizes of a Logitech C920 that offers H.264.
    internal const string C920 = """
        [video4linux2,v4l2 @ 0x55f1c1e0] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 160x90 160x120 176x144 320x180 320x240 352x288 432x240 640x360 800x448 800x600 864x480 960x720 1024x576 1280x720 1600x896 1920x1080 2304x1296 2304x1536
        [video4linux2,v4l2 @ 0x55f1c1e0] Compressed:        h264 :                H.264 : 640x480 160x90 160x120 176x144 320x180 320x240 352x288 432x240 640x360 800x448 800x600 864x480 960x720 1024x576 1280x720 1600x896 1920x1080
        [video4linux2,v4l2 @ 0x55f1c1e0] Compressed:       mjpeg :          Motion-JPEG : 640x480 160x90 160x120 176x144 320x180 320x240 352x288 432x240 640x360 800x448 800x600 864x480 960x720 1024x576 1280x720 1600x896 1920x1080
        /dev/video0: Immediate exit requested
        """;

    [Test]
    public void Reads_every_format_with_its_sizes_from_ffmpegs_listing()
    {
        var formats = WebcamFormats.Parse(C920);
        Assert.That(formats.Names, Is.EqualTo(new[] { "yuyv422", "h264", "mjpeg" }));
        Assert.That(formats.Offers("h264", new FrameFormat(1280, 720)), Is.True);
        Assert.That(formats.Offers("h264", new FrameFormat(640, 480)), Is.True);
        Assert.That(formats.Offers("h264", new FrameFormat(2304, 1296)), Is.False, "only the raw format has it");
        Assert.That(formats.Offers("yuyv422", new FrameFormat(2304, 1296)), Is.True);
        Assert.That(formats.Offers("h264", new FrameFormat(1280, 960)), Is.False);
    }

    [Test]
    public void The_colons_in_a_formats_description_are_not_taken_for_sizes()
    {
        var formats = WebcamFormats.Parse("[video4linux2,v4l2 @ 0x1] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480\n");
        Assert.That(formats.SizesOf("yuyv422"), Is.EqualTo("640x480"));
    }

    [Test]
    public void A_size_range_in_steps_offers_every_size_on_a_step()
    {
        var formats = WebcamFormats.Parse(
            "[video4linux2,v4l2 @ 0x2] Compressed:        h264 :                H.264 : Emulated : {32-1920, 16}x{32-1080, 8}\n");
        Assert.That(formats.Offers("h264", new FrameFormat(640, 480)), Is.True);
        Assert.That(formats.Offers("h264", new FrameFormat(1920, 1080)), Is.True);
        Assert.That(formats.Offers("h264", new FrameFormat(648, 480)), Is.False, "not on a width step");
        Assert.That(formats.Offers("h264", new FrameFormat(1936, 1080)), Is.False, "wider than the range");
        Assert.That(formats.SizesOf("h264"), Is.EqualTo("32x32 to 1920x1080"));
    }

    [Test]
    public void A_device_that_cannot_be_opened_offers_nothing()
    {
        var formats = WebcamFormats.Parse("[video4linux2,v4l2 @ 0x3] Cannot open video device /dev/video77: No such file or directory\n"
            + "/dev/video77: No such file or directory\n");
        Assert.That(formats.Names, Is.Empty);
        Assert.That(formats.Offers("h264", new FrameFormat(640, 480)), Is.False);
    }

    [Test]
    public void The_query_asks_ffmpeg_to_list_every_format_of_the_device() =>
        Assert.That(string.Join(' ', WebcamFormatQuery.Arguments("/dev/video2")),
            Is.EqualTo("-hide_banner -nostdin -f v4l2 -list_formats all -i /dev/video2"));
}
