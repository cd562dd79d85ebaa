using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>The page in a real desktop browser, fed by the real server's test pattern.</summary>
internal class PageTests : BrowserTestBase
{
    [Test]
    public async Task Canvas_shows_the_moving_test_pattern_frame_by_frame()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());

        var first = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var second = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Artifacts.ScreenshotAsync(page, "desktop-test-pattern");
        TestContext.Out.WriteLine($"renderer {await PictureProbe.RendererAsync(page)}; frames {first.Stamp?.Frame} and {second.Stamp?.Frame}");

        Assert.That(first.Stamp, Is.Not.Null, "the first picture's frame stamp reads back");
        Assert.That(second.Stamp, Is.Not.Null, "the second picture's frame stamp reads back");
        Assert.That(first.SameAsDecoder && second.SameAsDecoder, "the stamp the benchmark reads from the decoder is the one on the canvas");
        Assert.That((first.Width, first.Height), Is.EqualTo((640, 480)));
        Assert.That(second.Stamp!.Frame - first.Stamp!.Frame, Is.GreaterThanOrEqualTo(12), "a second later, a later frame");
        var changed = first.Luma.Zip(second.Luma).Count(p => Math.Abs(p.First - p.Second) > 16);
        Assert.That(changed, Is.GreaterThan(first.Luma.Length / 4), "the picture moves");

        foreach (var picture in new[] { first, second })
        {
            var stamp = picture.Stamp!;
            var error = PatternMatch.MeanLumaError(picture, stamp.Frame, stamp.ProducedMs);
            var otherFrameError = PatternMatch.MeanLumaError(picture, stamp.Frame + 10, stamp.ProducedMs);
            TestContext.Out.WriteLine($"frame {stamp.Frame}: mean luma error {error:F1} (against frame +10: {otherFrameError:F1})");
            Assert.That(error, Is.LessThan(6), "the canvas shows the pattern frame its stamp names");
            Assert.That(otherFrameError, Is.GreaterThan(error * 2), "and not some other frame");
            Assert.That(stamp.LatencyMs, Is.InRange(0, 2000), "produced shortly before it was drawn");
        }
    }

    [Test]
    public async Task A_slow_browser_skips_pictures_but_every_picture_it_draws_is_whole_and_right()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        // A phone-slow CPU: pictures pile up between animation frames, jsmpg.js's riskiest path.
        var devtools = await context.NewCDPSessionAsync(page);
        await devtools.SendAsync("Emulation.setCPUThrottlingRate", new Dictionary<string, object> { ["rate"] = 8 });
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());

        await PictureProbe.CaptureNextAsync(page, 64, Patience);
        await Task.Delay(TimeSpan.FromSeconds(4));
        var captured = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        var drawn = await PictureProbe.TakeAsync(page);
        var unreadable = await PictureProbe.UnreadableCountAsync(page);
        TestContext.Out.WriteLine($"{drawn.Length} pictures drawn, {unreadable} unreadable, frames {drawn.First().Frame}..{drawn.Last().Frame}");

        Assert.That(unreadable, Is.Zero, "a stamp that does not read back is a picture drawn wrong");
        Assert.That(drawn.Select(p => p.Frame), Is.Ordered.And.Unique, "no picture drawn twice or out of order");
        Assert.That(captured.Stamp, Is.Not.Null);
        Assert.That(PatternMatch.MeanLumaError(captured, captured.Stamp!.Frame, captured.Stamp.ProducedMs), Is.LessThan(6));
    }

    [Test]
    public async Task A_new_viewer_is_shown_the_I_picture_it_joins_on_at_once_then_the_pictures_after_it()
    {
        // The server sends a new viewer the latest I picture and every P picture since in one burst; the page
        // draws the I picture as soon as it is decoded instead of decoding the whole burst first. Page loads
        // 370 ms apart join at different places in the 12-picture GOP, so most bursts hold P pictures.
        var firstTypes = new List<string?>();
        for (var load = 0; load < 4; load++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(370));
            await using var context = await Chromium.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());
            await page.WaitForFunctionAsync("() => window.pictureProbe.pictures.length >= 4", null, new() { Timeout = (float)Patience.TotalMilliseconds });

            firstTypes.Add(await PictureProbe.FirstPictureTypeAsync(page));
            var frames = (await PictureProbe.TakeAsync(page)).Select(p => p.Frame).ToList();
            TestContext.Out.WriteLine($"load {load}: first picture {firstTypes[^1]}, frames {string.Join(' ', frames)}");
            Assert.That(frames, Is.Ordered.And.Unique, "after the I picture, only later pictures");
        }

        Assert.That(firstTypes, Is.All.EqualTo("I"), "every new viewer's first picture is the I picture it joined on");
    }

    [Test]
    public async Task Overlay_says_live_with_frames_per_second()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync(PageState.LiveWithRate(), new() { Timeout = (float)Patience.TotalMilliseconds });
        var rate = int.Parse(PageState.LiveWithRate().Match(await page.Locator("#state").TextContentAsync() ?? "").Groups[1].Value);
        // 24 on a quiet machine; a busy one draws fewer, never more than the camera makes.
        Assert.That(rate, Is.InRange(1, 26));
    }

    [Test]
    public async Task Click_toggles_full_screen()
    {
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());
        await PictureProbe.CaptureNextAsync(page, 64, Patience);

        await page.ClickAsync("#video");
        await page.WaitForFunctionAsync("() => document.fullscreenElement !== null", null, new() { Timeout = 5000 });
        await page.ClickAsync("#video");
        await page.WaitForFunctionAsync("() => document.fullscreenElement === null", null, new() { Timeout = 5000 });
    }
}
