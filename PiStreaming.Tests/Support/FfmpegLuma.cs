using System.Diagnostics;

namespace PiStreaming.Tests.Support;

/// <summary>Decodes an MPEG-1 stream with ffmpeg into its pictures' luma planes.</summary>
internal static class FfmpegLuma
{
    public static async Task<List<byte[]>> DecodeAsync(byte[] mpeg1Stream, int width, int height)
    {
        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        // -fps_mode passthrough: one output frame per coded picture, none repeated.
        foreach (var argument in new[] { "-v", "error", "-f", "mpegvideo", "-i", "pipe:0", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var errors = process.StandardError.ReadToEndAsync();
        var feeding = Task.Run(async () =>
        {
            await process.StandardInput.BaseStream.WriteAsync(mpeg1Stream);
            process.StandardInput.Close();
        });
        using var output = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await feeding;
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await errors);

        var frameSize = width * height;
        var bytes = output.ToArray();
        return Enumerable.Range(0, bytes.Length / frameSize).Select(i => bytes.AsSpan(i * frameSize, frameSize).ToArray()).ToList();
    }
}
