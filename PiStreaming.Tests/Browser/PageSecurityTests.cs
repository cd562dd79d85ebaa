using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>
/// The page under its own Content-Security-Policy still plays, and a page from another site cannot
/// watch the camera through a visitor's browser (cross-site WebSocket hijacking).
/// </summary>
internal class PageSecurityTests : BrowserTestBase
{
    [Test]
    public async Task Page_plays_under_its_content_security_policy_with_no_violation()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = CollectProblems(page);

        var response = await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());
        var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);

        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.That(policy, Does.Contain("default-src 'none'").And.Contain($"connect-src 'self' ws://127.0.0.1:{Server.Server.HttpPort}/video wss://127.0.0.1:{Server.Server.HttpPort}/video;"));
        Assert.That(picture.Stamp, Is.Not.Null, "the video plays");
        Assert.That(problems, Is.Empty, "no script, style, picture or connection was blocked or failed");
        Assert.That(await response.HeaderValueAsync("x-content-type-options"), Is.EqualTo("nosniff"));
        Assert.That(await response.HeaderValueAsync("referrer-policy"), Is.EqualTo("no-referrer"));
    }

    [Test]
    public async Task A_page_from_another_site_cannot_open_the_video_but_the_own_page_can()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        // Playwright answers for http://evil.example/: a page on the internet that a viewer happens to open.
        await page.RouteAsync("http://evil.example/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<!DOCTYPE html><title>evil</title>",
        }));

        await page.GotoAsync("http://evil.example/");
        var fromEvil = await TryWatchAsync(page);
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());
        var fromOwnPage = await TryWatchAsync(page);

        Assert.That(fromEvil, Is.EqualTo("error"), "the handshake is refused (403), so the browser reports an error and no video");
        Assert.That(fromOwnPage, Is.EqualTo("video"));
    }

    /// <summary>Opens the video WebSocket as the page does (its own origin's /video, which its CSP allows).</summary>
    /// <returns>"video" when the socket delivered a message, otherwise "error" or "closed".</returns>
    private Task<string> TryWatchAsync(IPage page) =>
        page.EvaluateAsync<string>(
            """
            url => new Promise(resolve => {
              const ws = new WebSocket(url);
              ws.binaryType = 'arraybuffer';
              ws.onmessage = () => { resolve('video'); ws.close(); };
              ws.onerror = () => resolve('error');
              ws.onclose = () => resolve('closed');
            })
            """,
            $"ws://127.0.0.1:{Server.Server.HttpPort}/video");
}
