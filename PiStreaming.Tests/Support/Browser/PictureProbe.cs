using Microsoft.Playwright;

namespace PiStreaming.Tests.Support;

// Filled in by Playwright from the script's objects, so: parameterless, settable, names as in the script.

/// <summary>One picture jsmpg.js drew, identified by its frame stamp.</summary>
internal sealed record DrawnPicture
{
    /// <summary>The frame number, modulo 65536.</summary>
    public int Frame { get; init; }

    /// <summary>When the server painted the frame (Unix milliseconds).</summary>
    public double ProducedMs { get; init; }

    /// <summary>When the page drew it (Unix milliseconds, same machine and clock).</summary>
    public double DrawnMs { get; init; }

    public double LatencyMs => DrawnMs - ProducedMs;
}

/// <summary>One drawn picture read back from the canvas: its stamp (null if unreadable) and its luma, sampled every Step pixels.</summary>
internal sealed record CapturedPicture
{
    public DrawnPicture? Stamp { get; init; }

    /// <summary>Whether the canvas shows the same stamp as the luma plane jsmpg.js drew it from.</summary>
    public bool SameAsDecoder { get; init; }

    /// <summary>"mpeg1" or "h264": what the page played.</summary>
    public string Codec { get; init; } = "mpeg1";

    public int Width { get; init; }
    public int Height { get; init; }
    public int Step { get; init; }
    public int[] Luma { get; init; } = [];
}

/// <summary>
/// The C# side of picture-probe.js: a script added to every page of a browser context that reads the
/// frame stamp of each picture the page draws.
/// </summary>
internal static class PictureProbe
{
    private static readonly Lazy<string> Script = new(() =>
    {
        using var stream = typeof(PictureProbe).Assembly.GetManifestResourceStream("picture-probe.js")
            ?? throw new InvalidOperationException("picture-probe.js is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static Task InstallAsync(IBrowserContext context) => context.AddInitScriptAsync(Script.Value);

    /// <summary>The pictures drawn since the last call.</summary>
    public static Task<DrawnPicture[]> TakeAsync(IPage page) => page.EvaluateAsync<DrawnPicture[]>("() => window.pictureProbe.take()");

    /// <summary>Drawn pictures whose stamp could not be read.</summary>
    public static Task<int> UnreadableCountAsync(IPage page) => page.EvaluateAsync<int>("() => window.pictureProbe.unreadable");

    /// <summary>Milliseconds from the start of navigation to the first drawn picture; null before it.</summary>
    public static Task<double?> FirstPictureMsAsync(IPage page) => page.EvaluateAsync<double?>("() => window.pictureProbe.firstPictureMs");

    /// <summary>Milliseconds from navigation to the browser's first contentful paint of the page (anything at all), null before it.</summary>
    public static Task<double?> FirstPaintMsAsync(IPage page) =>
        page.EvaluateAsync<double?>("() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null; }");

    /// <summary>Milliseconds from navigation to the page's still snapshot on screen, null if it never showed.</summary>
    public static Task<double?> FirstStillMsAsync(IPage page) => page.EvaluateAsync<double?>("() => window.pictureProbe.firstStillMs");

    /// <summary>Milliseconds from the video socket opening to the first picture drawn: the streaming part of the first picture.</summary>
    public static Task<double?> FirstPictureAfterSocketOpenMsAsync(IPage page) =>
        page.EvaluateAsync<double?>("() => window.pictureProbe.firstPictureMs === null ? null : window.pictureProbe.firstPictureMs - window.pictureProbe.socketOpenMs");

    /// <summary>"I" or "P": the coding type of the first picture the page drew; null before it.</summary>
    public static Task<string?> FirstPictureTypeAsync(IPage page) => page.EvaluateAsync<string?>("() => window.pictureProbe.firstPictureType");

    /// <summary>Milliseconds the probe itself has spent reading pictures so far.</summary>
    public static Task<double> ReadingMsAsync(IPage page) => page.EvaluateAsync<double>("() => window.pictureProbe.readingMs");

    /// <summary>"mpeg1" or "h264": what the page plays; null before the first picture.</summary>
    public static Task<string?> CodecAsync(IPage page) => page.EvaluateAsync<string?>("() => window.pictureProbe.codec");

    /// <summary>"webgl" or "2d": how jsmpg.js draws in this browser ("2d" for WebCodecs, "video" for MSE); null before the first picture.</summary>
    public static Task<string?> RendererAsync(IPage page) => page.EvaluateAsync<string?>("() => window.pictureProbe.renderer");

    /// <summary>The next picture the page draws, read back from its canvas.</summary>
    public static Task<CapturedPicture> CaptureNextAsync(IPage page, int step, TimeSpan timeout) =>
        page.EvaluateAsync<CapturedPicture>("([step, ms]) => window.pictureProbe.captureNext(step, ms)", new[] { step, (int)timeout.TotalMilliseconds });
}
