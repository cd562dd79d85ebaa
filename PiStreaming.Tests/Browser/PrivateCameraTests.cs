using Microsoft.Playwright;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>A private camera in a real browser: log in through the page, watch, log out; https with the self-signed certificate; behind nginx.</summary>
internal class PrivateCameraTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private PrivateCamera camera = null!;
    private Chromium chromium = null!;

    [OneTimeSetUp]
    public async Task StartBrowser()
    {
        camera = PrivateCamera.Create();
        chromium = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopBrowser()
    {
        await chromium.DisposeAsync();
        camera.Dispose();
    }

    [Test]
    public async Task Log_in_watch_then_log_out_stops_the_video_and_the_page_is_refused()
    {
        await using var server = await TestServer.StartAsync(camera.Options());
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(server.HttpUri, "index.html").ToString());
        Assert.That(page.Url, Is.EqualTo($"{server.HttpUri}login?return=%2Findex.html"), "sent to the login page");
        await LogInAsync(page);
        Assert.That(page.Url, Is.EqualTo($"{server.HttpUri}index.html"), "and back to the page");

        var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        Assert.That(picture.Stamp, Is.Not.Null, "the video plays");
        await Eventually.HoldsAsync(() => server.Server.ViewerCount == 1, Patience, "one viewer");

        await page.ClickAsync("#logout button");
        await page.WaitForURLAsync($"{server.HttpUri}login", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Eventually.HoldsAsync(() => server.Server.ViewerCount == 0, Patience, "the video stopped");

        await page.GotoAsync(new Uri(server.HttpUri, "index.html").ToString());
        Assert.That(page.Url, Does.StartWith($"{server.HttpUri}login"), "the page is refused after logging out");
        var video = await page.EvaluateAsync<string>(
            """
            url => new Promise(resolve => {
              const ws = new WebSocket(url);
              ws.onmessage = () => { resolve('video'); ws.close(); };
              ws.onerror = () => resolve('error');
            })
            """, $"ws://127.0.0.1:{server.Server.HttpPort}/video");
        Assert.That(video, Is.EqualTo("error"), "and so is the video");
    }

    [Test]
    public async Task Https_with_the_self_signed_certificate_plays_over_wss()
    {
        await using var server = await TestServer.StartAsync(camera.Options(new ServerOptions { TlsSelfSigned = true }));
        await WatchThroughAsync(server.HttpUri, server);
    }

    [Test]
    public async Task Behind_nginx_as_an_https_reverse_proxy_the_page_plays_over_wss()
    {
        await using var server = await TestServer.StartAsync(camera.Options());
        using var nginx = await Nginx.StartAsync(server.Server.HttpPort);
        await WatchThroughAsync(nginx.Uri, server);
    }

    /// <summary>Logs in at <paramref name="site"/> (https), then checks the page plays its video over wss from the same host and port.</summary>
    private async Task WatchThroughAsync(Uri site, TestServer server)
    {
        await using var context = await chromium.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);

        await page.GotoAsync(new Uri(site, "index.html").ToString());
        await LogInAsync(page);
        Assert.That(page.Url, Is.EqualTo($"{site}index.html"));
        var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Artifacts.ScreenshotAsync(page, $"private-{site.Port}");
        Assert.That(picture.Stamp, Is.Not.Null, "the video plays");
        Assert.That(sockets, Is.EqualTo(new[] { $"wss://127.0.0.1:{site.Port}/video" }), "over wss, from the page's own host and port");
        Assert.That(server.Server.ViewerCount, Is.EqualTo(1));
    }

    private static async Task LogInAsync(IPage page)
    {
        await page.FillAsync("input[name=user]", PrivateCamera.User);
        await page.FillAsync("input[name=password]", PrivateCamera.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/index.html", new() { Timeout = (float)Patience.TotalMilliseconds });
    }
}
