using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

internal class SourceSpecTests
{
    [TestCase("testpattern", SourceKind.TestPattern, null)]
    [TestCase("stdin", SourceKind.Stdin, null)]
    [TestCase("rpicam", SourceKind.Rpicam, null)]
    [TestCase("v4l2", SourceKind.V4l2, "/dev/video0")]
    [TestCase("v4l2:/dev/video2", SourceKind.V4l2, "/dev/video2")]
    [TestCase("v4l2:/dev/v4l/by-id/usb-046d_C270-video-index0", SourceKind.V4l2, "/dev/v4l/by-id/usb-046d_C270-video-index0")]
    [TestCase("file:/home/pi/demo.mp4", SourceKind.File, "/home/pi/demo.mp4")]
    [TestCase("file:clips/a:b.mkv", SourceKind.File, "clips/a:b.mkv")]
    [TestCase("relay:ws://camera.local:8082/video", SourceKind.Relay, "ws://camera.local:8082/video")]
    [TestCase("relay:http://10.0.0.7:8082/stream.mpg", SourceKind.Relay, "http://10.0.0.7:8082/stream.mpg")]
    public void Known_sources_parse(string text, SourceKind kind, string? target) =>
        Assert.That(SourceSpec.Parse(text), Is.EqualTo(new SourceSpec(kind, target)));

    [TestCase("webcam", "one of")]
    [TestCase("v4l2:video0", "device path")]
    [TestCase("file:", "needs a path")]
    [TestCase("file", "needs a path")]
    [TestCase("rpicam:0", "one of")]
    [TestCase("", "one of")]
    [TestCase("relay:", "relay takes")]
    [TestCase("relay:camera.local:8082", "relay takes")]
    [TestCase("relay:ftp://camera.local/video", "relay takes")]
    public void Others_are_refused_with_a_reason(string text, string reason)
    {
        Assert.That(SourceSpec.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(reason));
    }
}
