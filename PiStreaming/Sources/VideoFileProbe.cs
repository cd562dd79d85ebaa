using FFMpegCore;
using FFMpegCore.Exceptions;
using PiStreaming.Processes;

namespace PiStreaming.Sources;

/// <summary>Reads a video file's own size and frame rate with FFMpegCore's FFProbe (the ffprobe program, from the ffmpeg package).</summary>
internal static class VideoFileProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <exception cref="VideoProbeException">ffprobe is missing, or the file is not a video it can read.</exception>
    public static async Task<NativeVideoFormat> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        if (ExecutableLocator.Find("ffprobe") is null)
        {
            throw new VideoProbeException("ffprobe not found on PATH; install it with: sudo apt install ffmpeg");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(path, cancellationToken: timeout.Token);
        }
        catch (Exception e) when (e is FFMpegException or IOException or OperationCanceledException)
        {
            throw new VideoProbeException($"--source file:{path} is not a video file ffprobe can read: {OneLine(e.Message)}");
        }

        if (analysis.PrimaryVideoStream is not { Width: > 0 and var width, Height: > 0 and var height } video)
        {
            throw new VideoProbeException($"--source file:{path} has no video stream");
        }

        return new NativeVideoFormat(width, height, video.AverageFrameRate > 0 ? video.AverageFrameRate : video.RealFrameRate);
    }

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>A video file's size and rate could not be read; the message says why.</summary>
internal sealed class VideoProbeException(string message) : Exception(message);
