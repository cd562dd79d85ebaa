using System.Net;
using PiStreaming.Options;
using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

public class IndexPageTests
{
    private static readonly FrameFormat Size = new(800, 600);

    private const string Template = "ws://@ADDRESS@ @WIDTH@x@HEIGHT@ @COLOR@ on @BGCOLOR@";
    private readonly IndexPage page = new(Template, new PageLook("#abc", "#123456"), []);

    [TestCase("camera.local:8082", "ws://camera.local:8082/video")]
    [TestCase("192.168.1.20:8082", "ws://192.168.1.20:8082/video")]
    [TestCase("[fe80::1]:8082", "ws://[fe80::1]:8082/video")]
    [TestCase("example.org", "ws://example.org/video")]
    [TestCase("example.org:443", "ws://example.org:443/video")]
    public void Address_is_the_video_path_on_the_host_and_port_the_browser_used(string host, string expected) =>
        Assert.That(page.Render(host, IPAddress.Loopback, 8082, Size).Html, Does.StartWith(expected + " "));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("evil'+alert(1)+'")]
    public void Missing_or_unsafe_host_falls_back_to_the_local_address(string? host) =>
        Assert.That(page.Render(host, IPAddress.Parse("10.0.0.7"), 9000, Size).Html, Does.StartWith("ws://10.0.0.7:9000/video "));

    [Test]
    public void Ipv6_local_address_is_bracketed() =>
        Assert.That(page.Render(null, IPAddress.IPv6Loopback, 8082, Size).Html, Does.StartWith("ws://[::1]:8082/video"));

    [Test]
    public void Size_and_colours_come_from_the_options() =>
        Assert.That(page.Render("h", IPAddress.Loopback, 1, Size).Html, Does.EndWith(" 800x600 #abc on #123456"));

    [Test]
    public void A_private_cameras_page_has_a_log_out_button_an_open_ones_has_none()
    {
        var look = new PageLook("#abc", "#123456");
        Assert.That(new IndexPage("[@LOGOUT@]", look, [], isPrivate: true).Render("h", IPAddress.Loopback, 1, Size).Html, Does.Contain("action=\"logout\""));
        Assert.That(new IndexPage("[@LOGOUT@]", look, []).Render("h", IPAddress.Loopback, 1, Size).Html, Is.EqualTo("[]"));
    }

    [Test]
    public void The_still_is_the_snapshot_address_or_the_newest_jpeg_itself()
    {
        var withStill = new IndexPage("<img src=\"@STILL@\">", new PageLook("#abc", "#123456"), []);
        Assert.That(withStill.Render("h", IPAddress.Loopback, 1, Size).Html, Is.EqualTo("<img src=\"snapshot.jpg\">"));
        Assert.That(withStill.Render("h", IPAddress.Loopback, 1, Size, new byte[] { 0xFF, 0xD8, 0xFF }).Html, Is.EqualTo("<img src=\"data:image/jpeg;base64,/9j/\">"));
    }
}
