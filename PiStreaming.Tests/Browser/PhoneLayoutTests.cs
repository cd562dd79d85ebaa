using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>The page on a phone-sized touch screen with a mobile browser's user agent.</summary>
internal class PhoneLayoutTests : BrowserTestBase
{
    // Where the video is on the page; filled in by Playwright, so parameterless and settable.
    private sealed record Box
    {
        public double Left { get; init; }
        public double Top { get; init; }
        public double Width { get; init; }
        public double Height { get; init; }
        public double ViewportWidth { get; init; }
        public double ViewportHeight { get; init; }
        public double ScrollWidth { get; init; }
    }

    private async Task<(IBrowserContext Context, IPage Page)> OpenOnPhoneAsync(int width, int height)
    {
        var phone = Chromium.Device("iPhone 13");
        phone.ViewportSize = new ViewportSize { Width = width, Height = height };
        phone.ScreenSize = new ScreenSize { Width = Math.Min(width, height), Height = Math.Max(width, height) };
        var context = await Chromium.NewContextAsync(phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Server.HttpUri, "index.html").ToString());
        var picture = await PictureProbe.CaptureNextAsync(page, 64, Patience);
        Assert.That(picture.Stamp, Is.Not.Null, "video plays");
        return (context, page);
    }

    private static Task<Box> MeasureAsync(IPage page) => page.EvaluateAsync<Box>("""
        () => {
          const r = document.getElementById('video').getBoundingClientRect();
          return { left: r.left, top: r.top, width: r.width, height: r.height,
                   viewportWidth: window.innerWidth, viewportHeight: window.innerHeight,
                   scrollWidth: document.documentElement.scrollWidth };
        }
        """);

    [Test]
    public async Task Portrait_video_fills_the_width_without_horizontal_scrolling()
    {
        var (context, page) = await OpenOnPhoneAsync(390, 844);
        await using var _ = context;
        await Artifacts.ScreenshotAsync(page, "phone-portrait");
        var box = await MeasureAsync(page);
        TestContext.Out.WriteLine(box);

        Assert.That(box.ViewportWidth, Is.EqualTo(390), "the viewport meta tag makes the page phone-wide, not 980 px");
        Assert.That(box.ScrollWidth, Is.LessThanOrEqualTo(box.ViewportWidth), "no horizontal scroll");
        Assert.That(box.Left, Is.EqualTo(0).Within(0.5));
        Assert.That(box.Width, Is.EqualTo(390).Within(0.5), "as wide as the screen");
        Assert.That(box.Height, Is.EqualTo(390 * 480 / 640.0).Within(1), "native aspect ratio");
        Assert.That(box.Top + box.Height, Is.LessThanOrEqualTo(box.ViewportHeight));
    }

    [Test]
    public async Task Landscape_video_fills_the_height_and_stays_on_screen()
    {
        var (context, page) = await OpenOnPhoneAsync(844, 390);
        await using var _ = context;
        await Artifacts.ScreenshotAsync(page, "phone-landscape");
        var box = await MeasureAsync(page);
        TestContext.Out.WriteLine(box);

        Assert.That(box.ScrollWidth, Is.LessThanOrEqualTo(box.ViewportWidth), "no horizontal scroll");
        Assert.That(box.Height, Is.EqualTo(390).Within(0.5), "as tall as the screen");
        Assert.That(box.Width, Is.EqualTo(390 * 640 / 480.0).Within(1), "native aspect ratio");
        Assert.That(box.Left, Is.EqualTo((844 - box.Width) / 2).Within(1), "centred");
        Assert.That(box.Top, Is.EqualTo(0).Within(0.5));
    }

    [Test]
    public async Task Tap_toggles_full_screen()
    {
        var (context, page) = await OpenOnPhoneAsync(390, 844);
        await using var _ = context;

        await page.TapAsync("#video");
        await page.WaitForFunctionAsync("() => document.fullscreenElement !== null", null, new() { Timeout = 5000 });
        await page.TapAsync("#video");
        await page.WaitForFunctionAsync("() => document.fullscreenElement === null", null, new() { Timeout = 5000 });
    }
}
