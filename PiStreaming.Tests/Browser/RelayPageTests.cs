using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>The page of a relay, in a real browser: the origin's pictures, through two relays.</summary>
internal class RelayPageTests : BrowserTestBase
{
    [Test]
    public async Task The_page_of_a_relay_of_a_relay_shows_the_origins_test_pattern_live()
    {
        await using var relay = await TestServer.StartRelayAsync(new Uri($"ws://127.0.0.1:{Server.Server.HttpPort}/video"));
        await using var second = await TestServer.StartRelayAsync(new Uri($"ws://127.0.0.1:{relay.Server.HttpPort}/video"));
        await using var context = await Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(second.HttpUri, "index.html").ToString());

        var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Artifacts.ScreenshotAsync(page, "relay-of-a-relay");

        Assert.That((picture.Width, picture.Height), Is.EqualTo((640, 480)));
        Assert.That(picture.Stamp, Is.Not.Null, "the origin's frame stamp reads back");
        var stamp = picture.Stamp!;
        Assert.That(PatternMatch.MeanLumaError(picture, stamp.Frame, stamp.ProducedMs), Is.LessThan(6), "the canvas shows the pattern frame its stamp names");
        Assert.That(stamp.LatencyMs, Is.InRange(0, 2000), "produced at the origin shortly before it was drawn");
    }
}
