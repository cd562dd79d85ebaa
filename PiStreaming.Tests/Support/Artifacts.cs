namespace PiStreaming.Tests.Support;

/// <summary>Files tests leave for people to look at: artifacts/ at the repository root (ignored by git).</summary>
internal static class Artifacts
{
    /// <summary>A path under artifacts/<paramref name="folder"/>, created if needed.</summary>
    public static string PathFor(string folder, string fileName)
    {
        var directory = Path.Combine(Repository.FindRoot() ?? Path.GetTempPath(), "artifacts", folder);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, fileName);
    }

    /// <summary>Saves a screenshot of the page and attaches it to the running test.</summary>
    public static async Task ScreenshotAsync(Microsoft.Playwright.IPage page, string name)
    {
        var path = PathFor("screenshots", $"{name}.png");
        await page.ScreenshotAsync(new Microsoft.Playwright.PageScreenshotOptions { Path = path });
        TestContext.AddTestAttachment(path, name);
    }
}
