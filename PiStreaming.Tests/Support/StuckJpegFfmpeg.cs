namespace PiStreaming.Tests.Support;

/// <summary>An ffmpeg wrapper for the encoders: the real ffmpeg, except that the JPEG encoder hangs without reading its input.</summary>
internal static class StuckJpegFfmpeg
{
    /// <returns>the wrapper's path, in a temporary folder of its own.</returns>
    public static async Task<string> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("pistreaming-stuck-jpeg-");
        var path = Path.Combine(folder.FullName, "ffmpeg");
        var real = PiStreaming.Processes.ExecutableLocator.Find("ffmpeg") ?? "ffmpeg";
        await File.WriteAllTextAsync(path, $"#!/bin/sh\ncase \"$*\" in *mjpeg*) exec bash -c 'sleep 600; exit 1' stuck-mjpeg ;; esac\nexec {real} \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
