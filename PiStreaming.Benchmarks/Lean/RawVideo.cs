using System.Diagnostics;

namespace PiStreaming.Benchmarks.Lean;

/// <summary>Raw I420 frames for a server to take in: fed to its stdin, or from a file a camera tool (ffmpeg) plays.</summary>
internal static class RawVideo
{
    /// <summary>A few frames with a bar moving across, to loop over.</summary>
    public static byte[][] Frames(FrameFormat format, int count)
    {
        var frames = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var frame = new byte[format.FrameSize];
            var lumaSize = format.Width * format.Height;
            Array.Fill(frame, (byte)128, lumaSize, frame.Length - lumaSize);
            var bar = i * format.Width / count;
            for (var y = 0; y < format.Height; y++)
            {
                for (var x = 0; x < format.Width; x++)
                {
                    frame[(y * format.Width) + x] = (byte)(Math.Abs(x - bar) < 32 ? 235 : 16 + ((x + y) & 63));
                }
            }

            frames[i] = frame;
        }

        return frames;
    }

    /// <summary>Writes frames to <paramref name="destination"/> at <paramref name="framesPerSecond"/> until cancelled.</summary>
    public static async Task FeedAsync(Stream destination, byte[][] frames, double framesPerSecond, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / framesPerSecond));
        var next = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await destination.WriteAsync(frames[next++ % frames.Length], cancellationToken);
                await destination.FlushAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    /// <summary>A short raw video file (NUT container, rawvideo I420) that ffmpeg can loop at its own pace.</summary>
    public static async Task<string> FileAsync(FrameFormat format, double framesPerSecond, string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"raw-{format.Width}x{format.Height}-{framesPerSecond}.nut");
        if (File.Exists(path))
        {
            return path;
        }

        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                     $"testsrc2=size={format.Width}x{format.Height}:rate={framesPerSecond}", "-t", "2", "-c:v", "rawvideo", "-pix_fmt", "yuv420p", path])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start ffmpeg");
        var errors = await ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        return ffmpeg.ExitCode == 0 ? path : throw new InvalidOperationException($"ffmpeg could not write {path}: {errors}");
    }
}
