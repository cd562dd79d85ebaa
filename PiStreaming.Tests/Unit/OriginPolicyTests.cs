using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

public class OriginPolicyTests
{
    private static readonly OriginPolicy OwnHostOnly = new([]);

    [TestCase("http://camera.local:8082", "camera.local")]
    [TestCase("https://CAMERA.local", "camera.local")]
    [TestCase("http://192.168.1.20:8082", "192.168.1.20")]
    [TestCase("http://[::1]:8082", "[::1]")]
    public void The_pages_own_host_is_allowed_whatever_its_port(string origin, string host) =>
        Assert.That(OwnHostOnly.Allows(origin, host), Is.True);

    [TestCase("http://evil.example", "camera.local")]
    [TestCase("http://camera.local.evil.example", "camera.local")]
    [TestCase("null", "camera.local")]
    [TestCase("file://", "camera.local")]
    [TestCase("chrome-extension://abc", "abc")]
    [TestCase("http://camera.local", "")]
    public void Other_origins_are_refused(string origin, string host) =>
        Assert.That(OwnHostOnly.Allows(origin, host), Is.False);

    [Test]
    public void Clients_without_an_origin_are_allowed() => Assert.That(OwnHostOnly.Allows(null, "camera.local"), Is.True);

    [Test]
    public void Listed_origins_are_allowed_exactly()
    {
        var policy = new OriginPolicy(["http://dashboard.local:8123", "https://ha.example"]);
        Assert.Multiple(() =>
        {
            Assert.That(policy.Allows("http://dashboard.local:8123", "camera.local"), Is.True);
            Assert.That(policy.Allows("HTTPS://ha.example:443", "camera.local"), Is.True, "default port and case do not matter");
            Assert.That(policy.Allows("http://dashboard.local:8124", "camera.local"), Is.False, "another port is another origin");
            Assert.That(policy.Allows("http://ha.example", "camera.local"), Is.False, "another scheme is another origin");
        });
    }

    [Test]
    public void Star_allows_any_page() => Assert.That(new OriginPolicy(["*"]).Allows("http://evil.example", "camera.local"), Is.True);

    [TestCase("dashboard.local")]
    [TestCase("http://dashboard.local/page")]
    [TestCase("ftp://dashboard.local")]
    [TestCase("http://user@dashboard.local")]
    public void Only_origins_are_origins(string text) => Assert.That(OriginPolicy.TryNormalize(text), Is.Null);
}
