

namespace PiStreaming.Tests.Support;

/// <summary>Reads /stream.mjpg as an &lt;img&gt; would, and turns what it got into pictures with ffmpeg.</summary>
internal static class MjpegClient
{
    /// <summary>The raw bytes of the multipart stream received within <paramref name="duration"/>.</summary>
    public static async Task<(HttpResponseMessage Response, byte[] Body)> ReceiveAsync(HttpClient http, Uri uri, TimeSpan duration)
    {
        var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
        using var body = new MemoryStream();
        using var cancel = new CancellationTokenSource(duration);
        try
        {
            await (await response.Content.ReadAsStreamAsync()).CopyToAsync(body, cancel.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }

        return (response, body.ToArray());
    }

    /// <summary>The JPEG parts of a multipart stream (a torn last part is left out), each checked for its part headers.</summary>
    public static List<byte[]> Parts(byte[] stream, string boundary)
    {
        var parts = new List<byte[]>();
        var position = 0;
        var marker = System.Text.Encoding.ASCII.GetBytes($"--{boundary}\r\n");
        while (position < stream.Length)
        {
            Assert.That(stream.AsSpan(position).StartsWith(marker), $"a part starts with the boundary at byte {position}");
            var headerEnd = stream.AsSpan(position).IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0)
            {
                break;
            }

            var header = System.Text.Encoding.ASCII.GetString(stream, position, headerEnd);
            Assert.That(header, Does.Contain("Content-Type: image/jpeg"));
            var length = int.Parse(header[(header.IndexOf("Content-Length: ", StringComparison.Ordinal) + 16)..].Split('\r')[0]);
            var start = position + headerEnd + 4;
            if (start + length + 2 > stream.Length)
            {
                break;
            }

            parts.Add(stream[start..(start + length)]);
            Assert.That(stream.AsSpan(start + length, 2).SequenceEqual("\r\n"u8), "a part ends with CRLF");
            position = start + length + 2;
        }

        return parts;
    }

    /// <summary>Decodes one JPEG into its luma plane with ffmpeg (full range, as JPEG is).</summary>
    public static async Task<byte[]> LumaAsync(byte[] jpeg, int width, int height)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(file, jpeg);
        try
        {
            var luma = await FfmpegProbe.GenerateAsync("-i", file, "-f", "rawvideo", "-pix_fmt", "gray");
            Assert.That(luma, Has.Length.EqualTo(width * height), "a JPEG of the stream's size");
            return luma;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
