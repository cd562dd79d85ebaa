using Microsoft.Playwright;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>The server goes away and comes back on the same ports while the page stays open.</summary>
public class ReconnectTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Page_reconnects_by_itself_when_the_server_restarts_and_shows_live_video_again()
    {
        var ports = FreePorts.Pick(2);
        string[] arguments = ["--bind", "127.0.0.1", "--http-port", ports[0].ToString(), "--ws-port", ports[1].ToString()];
        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var state = page.Locator("#state");

        using (var first = ServerProcess.Start(arguments))
        {
            await first.WaitUntilListeningAsync(Patience);
            await page.GotoAsync($"http://127.0.0.1:{ports[0]}/index.html");
            Assert.That((await PictureProbe.CaptureNextAsync(page, 64, Patience)).Stamp, Is.Not.Null, "video before the restart");
            await page.EvaluateAsync("() => window.loadedOnce = true");

            first.Signal(ServerProcess.SIGTERM);
            Assert.That(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.Zero, first.StandardError);
        }

        await Assertions.Expect(state).ToHaveTextAsync("reconnecting", new() { Timeout = 5000 });
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few failed attempts while nothing listens
        await Assertions.Expect(state).ToHaveTextAsync("reconnecting");
        var restartedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using var second = ServerProcess.Start(arguments);
        await second.WaitUntilListeningAsync(Patience);
        await Assertions.Expect(state).ToHaveTextAsync(PageState.LiveWithRate(), new() { Timeout = (float)Patience.TotalMilliseconds });
        var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Artifacts.ScreenshotAsync(page, "after-server-restart");

        Assert.That(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the same page, not reloaded");
        Assert.That(picture.Stamp, Is.Not.Null);
        Assert.That(picture.Stamp!.ProducedMs, Is.GreaterThan(restartedAtMs), "a picture from the new server");
        Assert.That(PatternMatch.MeanLumaError(picture, picture.Stamp.Frame, picture.Stamp.ProducedMs), Is.LessThan(6), "the live test pattern");
        Assert.That(await PictureProbe.UnreadableCountAsync(page), Is.Zero);
    }
}
