using System.Diagnostics;
using System.Globalization;

namespace PiStreaming.Tests.Support;

/// <summary>Decodes a received MPEG-1 stream with ffmpeg itself, to prove it is real video.</summary>
internal static class FfmpegProbe
{
    public sealed record Decoded(int Width, int Height, int Frames, string Errors);

    public static async Task<Decoded> DecodeAsync(byte[] mpeg1Stream)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}.m1v");
        await File.WriteAllBytesAsync(file, mpeg1Stream);
        try
        {
            var (probe, _) = await RunAsync("ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
                "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", file);
            var (_, errors) = await RunAsync("ffmpeg", "-v", "error", "-i", file, "-f", "null", "-");
            var fields = probe.Trim().Split(',');
            return new Decoded(Parse(fields[0]), Parse(fields[1]), Parse(fields[2]), errors.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Decodes a received MPEG-1 stream into raw I420 pictures of <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static async Task<List<byte[]>> DecodePicturesAsync(byte[] mpeg1Stream, int width, int height)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}.m1v");
        await File.WriteAllBytesAsync(file, mpeg1Stream);
        try
        {
            var raw = await GenerateAsync("-i", file, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p");
            var size = width * height * 3 / 2;
            Assert.That(raw.Length % size, Is.Zero, "decoded bytes are not whole pictures of that size");
            return Enumerable.Range(0, raw.Length / size).Select(i => raw[(i * size)..((i + 1) * size)]).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs ffmpeg to make test input, e.g. raw frames of its testsrc.</summary>
    public static async Task<byte[]> GenerateAsync(params string[] arguments)
    {
        var (output, errors, exitCode) = await RunBinaryAsync("ffmpeg", [.. new[] { "-v", "error" }.Concat(arguments).Append("pipe:1")]);
        Assert.That(exitCode, Is.Zero, errors);
        return output;
    }

    /// <summary>Runs a program (ffmpeg, ffprobe) to the end: its binary stdout, its stderr and its exit code.</summary>
    public static async Task<(byte[] Output, string Errors, int ExitCode)> RunBinaryAsync(string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        using var output = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await process.WaitForExitAsync();
        return (output.ToArray(), (await errors).Trim(), process.ExitCode);
    }

    private static int Parse(string text) => int.Parse(text.Trim(), CultureInfo.InvariantCulture);

    private static async Task<(string Output, string Errors)> RunAsync(string program, params string[] arguments)
    {
        var (output, errors, _) = await RunBinaryAsync(program, arguments);
        return (System.Text.Encoding.UTF8.GetString(output), errors);
    }
}
