using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Browser;

/// <summary>One real server (test pattern) and one headless Chromium, shared by a fixture's tests.</summary>
internal abstract class BrowserTestBase
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected TestServer Server { get; private set; } = null!;
    protected Chromium Chromium { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAndBrowser()
    {
        Server = await TestServer.StartAsync();
        Chromium = await Chromium.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopServerAndBrowser()
    {
        await Chromium.DisposeAsync();
        await Server.DisposeAsync();
    }
}
