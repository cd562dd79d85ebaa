using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>The MJPEG stream in a plain &lt;img&gt;, and the page's still snapshot before its video.</summary>
internal class OutputPageTests : BrowserTestBase
{
    [Test]
    public async Task An_img_showing_the_mjpeg_stream_shows_changing_pictures()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        // A page of one's own, on the camera's origin, with nothing but an <img> (as a dashboard would have).
        var pageUrl = new Uri(Server.HttpUri, "dashboard-test.html").ToString();
        await page.RouteAsync(pageUrl, route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<!DOCTYPE html><img id=\"camera\" src=\"/stream.mjpg\">",
        }));

        await page.GotoAsync(pageUrl);
        await page.WaitForFunctionAsync("() => document.getElementById('camera').naturalWidth > 0", null, new() { Timeout = (float)Patience.TotalMilliseconds });
        var first = await FingerprintAsync(page);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var second = await FingerprintAsync(page);
        await Artifacts.ScreenshotAsync(page, "mjpeg-in-an-img");

        Assert.That(await page.EvaluateAsync<int[]>("() => [document.getElementById('camera').naturalWidth, document.getElementById('camera').naturalHeight]"),
            Is.EqualTo(new[] { 640, 480 }));
        Assert.That(second, Is.Not.EqualTo(first), "half a second later the <img> shows another picture");
    }

    [Test]
    public async Task The_page_shows_the_newest_snapshot_until_the_video_starts()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        // Hold the decoder back, so that the still is all there is for a while.
        var decoderReleased = new TaskCompletionSource();
        await page.RouteAsync("**/jsmpg.js", async route =>
        {
            await decoderReleased.Task;
            await route.ContinueAsync();
        });

        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("() => { const s = document.getElementById('still'); return s && s.complete && s.naturalWidth > 0; }", null,
            new() { Timeout = (float)Patience.TotalMilliseconds });
        var stillShown = await page.EvaluateAsync<bool>("() => getComputedStyle(document.getElementById('still')).display !== 'none'");
        var videoWaiting = await page.EvaluateAsync<bool>("() => document.getElementById('video').classList.contains('waiting')");
        var stillFrame = await page.EvaluateAsync<int[]>("() => [document.getElementById('still').naturalWidth, document.getElementById('still').naturalHeight]");
        await Artifacts.ScreenshotAsync(page, "page-still-before-video");

        decoderReleased.SetResult();
        var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        var stillGone = await page.EvaluateAsync<bool>("() => getComputedStyle(document.getElementById('still')).display === 'none'");

        Assert.That(stillShown && videoWaiting, "the still is on screen while the decoder has not even loaded");
        Assert.That(stillFrame, Is.EqualTo(new[] { 640, 480 }));
        Assert.That(picture.Stamp, Is.Not.Null, "then the video plays");
        Assert.That(stillGone, "and the still has made way for it");
    }

    /// <summary>A checksum of what the &lt;img&gt; shows now, read back through a canvas.</summary>
    private static Task<double> FingerprintAsync(IPage page) =>
        page.EvaluateAsync<double>(
            """
            () => {
              const img = document.getElementById('camera');
              const canvas = document.createElement('canvas');
              canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
              const context = canvas.getContext('2d');
              context.drawImage(img, 0, 0);
              const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
              let sum = 0;
              for (let i = 0; i < data.length; i += 4) sum += data[i] * ((i >> 2) % 251 + 1);
              return sum;
            }
            """);
}
