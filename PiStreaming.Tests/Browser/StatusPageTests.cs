using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>
/// The status page in a real browser: linked from the video page, it polls /status every second and draws
/// viewers, bitrate and the server's latency share on a canvas, under its own Content-Security-Policy.
/// </summary>
internal class StatusPageTests : BrowserTestBase
{
    [Test]
    public async Task Status_page_draws_the_graph_and_its_numbers_follow_the_server()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = CollectProblems(page);

        await page.GotoAsync(new Uri(Server.HttpUri, "status.html").ToString());
        await WaitForUpdatesAsync(page, 2);
        Assert.That(await page.TextContentAsync("#viewers"), Is.EqualTo("0"));

        // A viewer comes: within a poll or two the page says so, and the bitrate and latency share have values.
        using var viewer = await WebSocketViewer.ConnectAsync(Server.WebSocketUri);
        using var stopWatching = new CancellationTokenSource();
        var watching = KeepWatchingAsync(viewer, stopWatching.Token);
        await page.WaitForFunctionAsync("() => document.getElementById('viewers').textContent === '1'", null,
            new PageWaitForFunctionOptions { Timeout = (float)Patience.TotalMilliseconds });
        var updates = await Updates(page);
        await WaitForUpdatesAsync(page, updates + 3);

        var bitrate = await page.TextContentAsync("#bitrate");
        var latency = await page.TextContentAsync("#latency");
        Assert.That(bitrate, Does.Match(@"^\d+ kbit/s$"));
        Assert.That(int.Parse(bitrate!.Split(' ')[0]), Is.InRange(50, 5000), "the test pattern's MPEG-1 stream, about --bitrate 800");
        Assert.That(latency, Does.Match(@"^\d+\.\d ms$"));
        Assert.That(double.Parse(latency!.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0).And.LessThan(500));
        Assert.That(await page.TextContentAsync("#stream"), Does.StartWith("test pattern · 640x480 · 24 fps · 800 kbit/s"));
        Assert.That(await page.TextContentAsync("#facts"), Does.Contain("video: pictures sent"));

        var drawn = await page.EvaluateAsync<int[]>(
            """
            () => {
              const canvas = document.getElementById('graph');
              const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              // The three lines' colours: viewers #6cf, bitrate #fc6, latency #8e8.
              const colours = [[0x66, 0xcc, 0xff], [0xff, 0xcc, 0x66], [0x88, 0xee, 0x88]];
              return colours.map(([r, g, b]) => {
                let count = 0;
                for (let i = 0; i < pixels.length; i += 4) {
                  if (pixels[i + 3] > 200 && Math.abs(pixels[i] - r) < 8 && Math.abs(pixels[i + 1] - g) < 8 && Math.abs(pixels[i + 2] - b) < 8) count++;
                }
                return count;
              });
            }
            """);
        Assert.That(drawn, Has.All.GreaterThan(50), "pixels of each line (viewers, bitrate, latency) on the canvas");

        await Artifacts.ScreenshotAsync(page, "status-page");
        Assert.That(problems, Is.Empty, "no blocked script or style, no failed /status");
        await stopWatching.CancelAsync();
        await watching;
    }

    [Test]
    public async Task The_video_page_links_to_the_status_page()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());

        await page.ClickAsync("#status-link");
        await page.WaitForURLAsync("**/status.html");
        await WaitForUpdatesAsync(page, 1);
        Assert.That(await page.TitleAsync(), Is.EqualTo("PiStreaming status"));
    }

    private static async Task KeepWatchingAsync(WebSocketViewer viewer, CancellationToken stop)
    {
        try
        {
            while (await viewer.ReceiveMessageAsync(stop) is not null)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<int> Updates(IPage page) => int.Parse(await page.EvaluateAsync<string>("() => document.body.dataset.updates || '0'"));

    private static Task WaitForUpdatesAsync(IPage page, int count) =>
        page.WaitForFunctionAsync($"() => Number(document.body.dataset.updates || 0) >= {count}", null,
            new PageWaitForFunctionOptions { Timeout = (float)Patience.TotalMilliseconds + count * 1000 });
}
