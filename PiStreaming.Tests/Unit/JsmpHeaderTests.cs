using PiStreaming.Fanout;
using PiStreaming.Sources;
using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

public class JsmpHeaderTests
{
    [Test]
    public void Header_for_640x480_matches_the_original_bytes() =>
        Assert.That(JsmpHeader.Create(new FrameFormat(640, 480)), Is.EqualTo(new byte[] { 0x6a, 0x73, 0x6d, 0x70, 0x02, 0x80, 0x01, 0xe0 }));

    [Test]
    public void Header_carries_width_and_height_big_endian() =>
        Assert.That(JsmpHeader.Create(new FrameFormat(1920, 1080))[4..], Is.EqualTo(new byte[] { 0x07, 0x80, 0x04, 0x38 }));
}
