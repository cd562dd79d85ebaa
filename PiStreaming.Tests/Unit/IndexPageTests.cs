using System.Net;
using PiStreaming.Options;
using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

public class IndexPageTests
{
    private const string Template = "ws://@ADDRESS@/ @WIDTH@x@HEIGHT@ @COLOR@ on @BGCOLOR@";
    private readonly IndexPage page = new(Template, new PageLook(new FrameFormat(800, 600), "#abc", "#123456"), []);

    [TestCase("camera.local", "ws://camera.local:8084/")]
    [TestCase("192.168.1.20", "ws://192.168.1.20:8084/")]
    [TestCase("[fe80::1]", "ws://[fe80::1]:8084/")]
    [TestCase("example.org", "ws://example.org:8084/")]
    public void Address_is_the_host_the_browser_used_with_the_websocket_port(string host, string expected) =>
        Assert.That(page.Render(host, IPAddress.Loopback, 8084).Html, Does.StartWith(expected + " "));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("evil'+alert(1)+'")]
    public void Missing_or_unsafe_host_falls_back_to_the_local_address(string? host) =>
        Assert.That(page.Render(host, IPAddress.Parse("10.0.0.7"), 9000).Html, Does.StartWith("ws://10.0.0.7:9000/ "));

    [Test]
    public void Ipv6_local_address_is_bracketed() =>
        Assert.That(page.Render(null, IPAddress.IPv6Loopback, 8084).Html, Does.StartWith("ws://[::1]:8084/"));

    [Test]
    public void Size_and_colours_come_from_the_options() =>
        Assert.That(page.Render("h", IPAddress.Loopback, 1).Html, Does.EndWith(" 800x600 #abc on #123456"));

    [Test]
    public void The_still_is_the_snapshot_address_or_the_newest_jpeg_itself()
    {
        var withStill = new IndexPage("<img src=\"@STILL@\">", new PageLook(new FrameFormat(800, 600), "#abc", "#123456"), []);
        Assert.That(withStill.Render("h", IPAddress.Loopback, 1).Html, Is.EqualTo("<img src=\"snapshot.jpg\">"));
        Assert.That(withStill.Render("h", IPAddress.Loopback, 1, new byte[] { 0xFF, 0xD8, 0xFF }).Html, Is.EqualTo("<img src=\"data:image/jpeg;base64,/9j/\">"));
    }
}
