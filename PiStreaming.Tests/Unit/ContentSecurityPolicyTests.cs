using System.Security.Cryptography;
using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

public class ContentSecurityPolicyTests
{
    private const string Page = "<style>body{}</style><script src=\"jsmpg.js\"></script><script>go();</script>";

    private static string Hash(string text) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))}'";

    [Test]
    public void Allows_the_pages_own_inline_blocks_by_hash_and_nothing_else()
    {
        var policy = ContentSecurityPolicy.For(Page, "camera.local:8082/video", []);
        Assert.That(policy, Is.EqualTo(
            $"default-src 'none'; script-src 'self' {Hash("go();")}; style-src {Hash("body{}")}; "
            + "connect-src 'self' ws://camera.local:8082/video wss://camera.local:8082/video; "
            + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"));
    }

    [Test]
    public void A_private_cameras_page_may_post_to_its_own_origin_only() =>
        Assert.That(ContentSecurityPolicy.For(Page, "c:1/video", [], postsToSelf: true), Does.Contain("form-action 'self';").And.Not.Contain("form-action 'none'"));

    [Test]
    public void Allowed_origins_may_embed_the_page() =>
        Assert.That(ContentSecurityPolicy.For(Page, "c:1/video", ["http://dash.local:8123"]), Does.EndWith("frame-ancestors 'self' http://dash.local:8123"));

    [Test]
    public void Star_lets_any_page_embed_it() => Assert.That(ContentSecurityPolicy.For(Page, "c:1/video", ["*"]), Does.EndWith("frame-ancestors *"));
}
