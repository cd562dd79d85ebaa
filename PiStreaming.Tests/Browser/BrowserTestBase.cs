using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>One real server (test pattern) and one headless Chromium, shared by a fixture's tests.</summary>
internal abstract class BrowserTestBase
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected TestServer Server { get; private set; } = null!;
    protected Chromium Chromium { get; private set; } = null!;

    /// <summary>
    /// What the fixture's server offers. These fixtures test the MPEG-1 page (jsmpg.js), which the page
    /// would not choose in this Chromium if H.264 were offered too; H264PageTests tests the choice.
    /// </summary>
    protected virtual ServerOptions Options => new() { Codec = VideoCodecs.Mpeg1 };

    [OneTimeSetUp]
    public async Task StartServerAndBrowser()
    {
        Server = await TestServer.StartAsync(Options);
        Chromium = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopServerAndBrowser()
    {
        await Chromium.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>What goes wrong on <paramref name="page"/> from now on: Content-Security-Policy violations, and responses of 400 or more (the favicon apart).</summary>
    protected static List<string> CollectProblems(Microsoft.Playwright.IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                problems.Add(message.Text);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
            {
                problems.Add($"{response.Status} {response.Url}");
            }
        };
        return problems;
    }
}
