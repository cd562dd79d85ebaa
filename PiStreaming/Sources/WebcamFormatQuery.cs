using PiStreaming.Processes;

namespace PiStreaming.Sources;

/// <summary>
/// Asks a webcam once, at start, which formats and sizes it offers, through the ffmpeg that reads it
/// (<c>-list_formats all</c>: ffmpeg lists them and exits without capturing).
/// </summary>
internal static class WebcamFormatQuery
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <returns>what the webcam offers; <see cref="WebcamFormats.None"/> when it cannot be asked (missing, busy, ffmpeg fails).</returns>
    public static async Task<WebcamFormats> AskAsync(string ffmpegPath, string device, CancellationToken cancellationToken)
    {
        // ffmpeg writes the list to stderr and then exits with an error ("Immediate exit requested"), as it should.
        var result = await ProgramQuestion.AskAsync(ffmpegPath, Arguments(device), Patience, cancellationToken);
        return result is null ? WebcamFormats.None : WebcamFormats.Parse(result.StandardError);
    }

    public static IReadOnlyList<string> Arguments(string device) => ["-hide_banner", "-nostdin", "-f", "v4l2", "-list_formats", "all", "-i", device];
}
