using Microsoft.Playwright;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>
/// The page choosing how to play, in real headless Chromium on localhost (a secure context, so WebCodecs
/// is there): H.264 through WebCodecs by itself, through Media Source Extensions (jmuxer) when forced or
/// when WebCodecs is missing, MPEG-1 when forced or when the browser has neither, each drawing the test
/// pattern with readable frame stamps.
/// </summary>
internal class H264PageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private TestServer server = null!;
    private Chromium chromium = null!;

    [OneTimeSetUp]
    public async Task StartServerAndBrowser()
    {
        server = await TestServer.StartAsync(new ServerOptions { Codec = VideoCodecs.Both });
        chromium = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopServerAndBrowser()
    {
        await chromium.DisposeAsync();
        await server.DisposeAsync();
    }

    [Test]
    public async Task By_itself_it_plays_H264_with_WebCodecs_and_draws_the_test_pattern_frame_by_frame()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.HttpUri, "index.html").ToString());

        var first = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        var drawn = await PictureProbe.TakeAsync(page);
        var unreadable = await PictureProbe.UnreadableCountAsync(page);
        await Artifacts.ScreenshotAsync(page, "h264-webcodecs");
        TestContext.Out.WriteLine($"{drawn.Length} pictures drawn, {unreadable} unreadable; frames {first.Stamp?.Frame} and {second.Stamp?.Frame}");

        Assert.That(await page.GetAttributeAsync("html", "data-codec"), Is.EqualTo("webcodecs"));
        Assert.That(await page.TextContentAsync("#codec"), Is.EqualTo("H.264 · WebCodecs"), "the overlay says what plays");
        Assert.That(await PictureProbe.CodecAsync(page), Is.EqualTo("h264"));
        Assert.That(await page.EvaluateAsync<string>("() => window.h264DecoderConfig.codec"), Is.EqualTo("avc1.42c01e"),
            "configured from the stream's SPS: constrained baseline, level 3.0");
        Assert.That(await page.EvaluateAsync<bool>("() => window.h264DecoderConfig.optimizeForLatency"), Is.True);
        AssertShowsThePattern(first, second, 640, 480);
        Assert.That(unreadable, Is.Zero, "every picture drawn has a readable stamp");
        Assert.That(drawn.Select(p => p.Frame), Is.Ordered.And.Unique, "no picture drawn twice or out of order");
        Assert.That(drawn.Length, Is.GreaterThanOrEqualTo(24), "about 24 pictures a second");
    }

    [TestCase("mse", "mse", "H.264 · MSE", "h264", "video")]
    [TestCase("h264", "webcodecs", "H.264 · WebCodecs", "h264", "2d")]
    [TestCase("mpeg1", "mpeg1", "MPEG-1", "mpeg1", null)]
    public async Task Codec_in_the_address_forces_the_way_it_plays(string forced, string path, string label, string codec, string? renderer)
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.HttpUri, $"index.html?codec={forced}").ToString());

        var first = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Artifacts.ScreenshotAsync(page, $"forced-{forced}");

        Assert.That(await page.GetAttributeAsync("html", "data-codec"), Is.EqualTo(path));
        Assert.That(await page.TextContentAsync("#codec"), Is.EqualTo(label));
        Assert.That(await PictureProbe.CodecAsync(page), Is.EqualTo(codec));
        if (renderer is not null)
        {
            Assert.That(await PictureProbe.RendererAsync(page), Is.EqualTo(renderer));
        }

        AssertShowsThePattern(first, second, 640, 480);
    }

    [Test]
    public async Task A_browser_without_WebCodecs_and_Media_Source_Extensions_falls_back_to_MPEG1()
    {
        await using var context = await chromium.NewContextAsync();
        await context.AddInitScriptAsync("delete window.VideoDecoder; delete window.EncodedVideoChunk; delete window.MediaSource; delete window.ManagedMediaSource;");
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.HttpUri, "index.html").ToString());

        var first = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var second = await PictureProbe.CaptureNextAsync(page, 8, Patience);

        Assert.That(await page.EvaluateAsync<bool>("() => typeof VideoDecoder === 'undefined' && typeof MediaSource === 'undefined'"), Is.True);
        Assert.That(await page.GetAttributeAsync("html", "data-codec"), Is.EqualTo("mpeg1"));
        Assert.That(await page.TextContentAsync("#codec"), Is.EqualTo("MPEG-1"));
        Assert.That(await PictureProbe.CodecAsync(page), Is.EqualTo("mpeg1"));
        AssertShowsThePattern(first, second, 640, 480);
    }

    [Test]
    public async Task A_browser_without_WebCodecs_plays_H264_through_Media_Source_Extensions()
    {
        await using var context = await chromium.NewContextAsync();
        await context.AddInitScriptAsync("delete window.VideoDecoder;");
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.HttpUri, "index.html").ToString());

        var first = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var second = await PictureProbe.CaptureNextAsync(page, 8, Patience);

        Assert.That(await page.GetAttributeAsync("html", "data-codec"), Is.EqualTo("mse"));
        AssertShowsThePattern(first, second, 640, 480);
    }

    [Test]
    public async Task The_page_of_a_relay_plays_the_origins_H264_with_WebCodecs()
    {
        await using var relay = await TestServer.StartRelayAsync(new Uri($"ws://127.0.0.1:{server.Server.HttpPort}/video"));
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(relay.HttpUri, "index.html").ToString());

        var first = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var second = await PictureProbe.CaptureNextAsync(page, 8, Patience);
        await Artifacts.ScreenshotAsync(page, "relay-h264-webcodecs");

        Assert.That(await page.GetAttributeAsync("html", "data-codec"), Is.EqualTo("webcodecs"), "the relay offers H.264 as its origin does");
        Assert.That(await PictureProbe.CodecAsync(page), Is.EqualTo("h264"));
        AssertShowsThePattern(first, second, 640, 480);
    }

    private static void AssertShowsThePattern(CapturedPicture first, CapturedPicture second, int width, int height)
    {
        Assert.That(first.Stamp, Is.Not.Null, "the first picture's frame stamp reads back");
        Assert.That(second.Stamp, Is.Not.Null, "the second picture's frame stamp reads back");
        Assert.That((first.Width, first.Height), Is.EqualTo((width, height)));
        Assert.That(second.Stamp!.Frame - first.Stamp!.Frame, Is.GreaterThanOrEqualTo(12), "a second later, a later frame");
        foreach (var picture in new[] { first, second })
        {
            var stamp = picture.Stamp!;
            var error = PatternMatch.MeanLumaError(picture, stamp.Frame, stamp.ProducedMs);
            var otherFrameError = PatternMatch.MeanLumaError(picture, stamp.Frame + 10, stamp.ProducedMs);
            TestContext.Out.WriteLine($"frame {stamp.Frame}: mean luma error {error:F1} (against frame +10: {otherFrameError:F1}); latency {stamp.LatencyMs:0} ms");
            Assert.That(error, Is.LessThan(6), "shows the pattern frame its stamp names");
            Assert.That(otherFrameError, Is.GreaterThan(error * 2), "and not some other frame");
        }

        // The first picture is the join cache's IDR picture, made up to a second before the page connected;
        // two seconds on, the page shows live pictures.
        Assert.That(second.Stamp.LatencyMs, Is.InRange(0, 1000), "produced shortly before it was drawn");
    }
}
