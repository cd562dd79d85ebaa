using System.Text.Json;
using Microsoft.Extensions.Logging;
using PiStreaming.Processes;

namespace PiStreaming.Sources;

/// <summary>Reads a video file's own size and frame rate with ffprobe (from the ffmpeg package), run as a <see cref="ChildProcess"/>.</summary>
internal static class VideoFileProbe
{
    private const string Program = "ffprobe";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <param name="logger">where ffprobe's stderr goes, line by line; its last line is also in the error.</param>
    /// <exception cref="VideoProbeException">ffprobe is missing, or the file is not a video it can read.</exception>
    public static async Task<NativeVideoFormat> ProbeAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        if (ExecutableLocator.Find(Program) is null)
        {
            throw new VideoProbeException($"{Program} not found on PATH; install it with: sudo apt install ffmpeg");
        }

        ChildProcess process;
        try
        {
            process = ChildProcess.Start(Program, Arguments(path), logger);
        }
        catch (ChildProcessException e)
        {
            throw new VideoProbeException(e.Message);
        }

        await using var running = process;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        FfprobeOutput? output = null;
        var unreadable = false;
        await process.StandardInput.DisposeAsync();
        try
        {
            try
            {
                output = await JsonSerializer.DeserializeAsync(process.StandardOutput, FfprobeJson.Default.FfprobeOutput, timeout.Token);
            }
            catch (JsonException)
            {
                unreadable = true; // no output at all when it fails: its exit code and last word say why
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VideoProbeException($"--source file:{path}: {Program} gave no answer within {Timeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            var reason = process.LastErrorLine is { Length: > 0 } line ? line : $"{Program} exited with code {process.ExitCode}";
            throw new VideoProbeException($"--source file:{path} is not a video file {Program} can read: {reason}");
        }

        if (unreadable)
        {
            throw new VideoProbeException($"--source file:{path}: {Program}'s answer is not the JSON it should be");
        }

        if (output?.Streams is not [{ Width: > 0 and var width, Height: > 0 and var height } video, ..])
        {
            throw new VideoProbeException($"--source file:{path} has no video stream");
        }

        return new NativeVideoFormat(width, height, video.FrameRate);
    }

    // The first video stream's size and rates, as JSON on stdout; errors only, on stderr.
    private static IReadOnlyList<string> Arguments(string path) =>
    [
        "-v", "error",
        "-select_streams", "v:0",
        "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate",
        "-of", "json",
        "-i", path,
    ];
}

/// <summary>A video file's size and rate could not be read; the message says why.</summary>
internal sealed class VideoProbeException(string message) : Exception(message);
