using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using PiStreaming.Options;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>
/// The page's silence watchdog: a connection that brings nothing for 6 s is dead to the page, even when
/// TCP has not noticed (a phone that changed networks). A camera that stops sending without closing
/// looks the same from the page, so a paused stdin camera stands in for the dead network.
/// </summary>
public class SilenceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Page_that_hears_nothing_for_6_s_connects_again_and_shows_video_when_it_comes_back()
    {
        var options = new ServerOptions();
        var format = new FrameFormat(options.Width, options.Height);
        var pipe = new Pipe();
        var camera = new StreamFrameSource("paused camera", FrameLayout.Unpadded(format), pipe.Reader.AsStream(), NullLogger<StreamFrameSource>.Instance);
        await using var server = await TestServer.StartAsync(options with { Source = "stdin" }, camera);
        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var state = page.Locator("#state");

        using (var feeding = new CancellationTokenSource())
        {
            var feed = FeedAsync(pipe.Writer, format, options.FrameRate, feeding.Token);
            await page.GotoAsync(new Uri(server.HttpUri, "index.html").ToString());
            Assert.That((await PictureProbe.CaptureNextAsync(page, 64, Patience)).Stamp, Is.Not.Null, "video while the camera sends");
            await feeding.CancelAsync();
            await feed;
        }

        var pausedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.That(await state.TextContentAsync(), Does.Match(PageState.LiveWithRate()), "4 s of silence: still trusting the connection");
        await Assertions.Expect(state).ToHaveTextAsync("reconnecting", new() { Timeout = 4000 });
        TestContext.Out.WriteLine($"gave up on the silent connection {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - pausedAtMs} ms after the last frame");
        await page.EvaluateAsync("() => window.loadedOnce = true");

        using var resumed = new CancellationTokenSource();
        var resumedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var resumedFeed = FeedAsync(pipe.Writer, format, options.FrameRate, resumed.Token);
        var picture = await NextPictureMadeAfterAsync(page, resumedAtMs);
        await resumed.CancelAsync();
        await resumedFeed;

        Assert.That(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the same page, not reloaded");
        Assert.That(PatternMatch.MeanLumaError(picture, picture.Stamp!.Frame, picture.Stamp.ProducedMs), Is.LessThan(6), "the camera's picture");
        Assert.That(await PictureProbe.UnreadableCountAsync(page), Is.Zero);
    }

    // Pictures from before the pause may still arrive first: a new connection starts from the join cache.
    private static async Task<CapturedPicture> NextPictureMadeAfterAsync(IPage page, long madeAfterMs)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var picture = await PictureProbe.CaptureNextAsync(page, 8, Patience);
            if (picture.Stamp is { } stamp && stamp.ProducedMs >= madeAfterMs)
            {
                return picture;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no new picture after the camera resumed");
        }
    }

    /// <summary>The test pattern's frames at the camera's rate until cancelled; always stops at a frame boundary.</summary>
    private static async Task FeedAsync(PipeWriter camera, FrameFormat format, double framesPerSecond, CancellationToken cancellationToken)
    {
        await foreach (var frame in new TestPatternSource(format, framesPerSecond).ReadFramesAsync(cancellationToken))
        {
            await camera.WriteAsync(frame, CancellationToken.None);
        }
    }
}
