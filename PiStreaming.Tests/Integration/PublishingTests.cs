using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PiStreaming.Options;
using PiStreaming.Publishing;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>--publish: the stream pushed to a media server by a child ffmpeg, copied, never re-encoded. Real ffmpeg on both ends, loopback.</summary>
internal class PublishingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // ffmpeg as the media server: an SRT listener, or an RTSP server taking ANNOUNCE and RECORD; it records 3 s into MPEG-TS.
    // From a relay: the origin's H.264, which the relay passes on.
    [TestCase("srt", "mpeg1video", false)]
    [TestCase("rtsp", "mpeg1video", false)]
    [TestCase("srt", "h264", false)]
    [TestCase("srt", "h264", true)]
    public async Task The_stream_reaches_a_media_server_that_comes_up_later_with_its_size_and_rate(string protocol, string codec, bool fromRelay)
    {
        var port = FreePorts.Pick(1)[0];
        var target = protocol == "srt" ? $"srt://127.0.0.1:{port}" : $"rtsp://127.0.0.1:{port}/live/camera";
        Assert.That(PublishTarget.TryParse(target, out var publish, out var error), Is.True, error);
        var options = new ServerOptions
        {
            Width = 320,
            Height = 240,
            FrameRate = 24,
            Codec = codec == "mpeg1video" ? VideoCodecs.Mpeg1 : VideoCodecs.Both,
            Publish = [publish],
        };
        await using var origin = fromRelay ? await TestServer.StartAsync(options with { Publish = [] }) : null;
        await using var server = origin is null
            ? await TestServer.StartAsync(options)
            : await TestServer.StartRelayAsync(new Uri($"ws://127.0.0.1:{origin.Server.HttpPort}/video"), new ServerOptions { Publish = [publish] });

        // The media server is not up yet: the publisher fails and tries again, while viewers watch undisturbed.
        using (var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri))
        {
            Assert.That(await viewer.ReceiveMessagesAsync(1 + 48, Patience), Has.Count.EqualTo(49));
        }

        var recording = Path.Combine(Path.GetTempPath(), $"pistreaming-published-{Guid.NewGuid():N}.ts");
        try
        {
            string[] listen = protocol == "srt"
                ? ["-i", $"srt://127.0.0.1:{port}?mode=listener"]
                : ["-rtsp_flags", "listen", "-timeout", "30", "-i", target];
            var (_, errors, exitCode) = await FfmpegProbe.RunBinaryAsync("ffmpeg", ["-v", "error", "-y", .. listen, "-c", "copy", "-t", "3", "-f", "mpegts", recording])
                .WaitAsync(Patience);
            Assert.That(exitCode, Is.Zero, errors);

            var (probe, probeErrors, _) = await FfmpegProbe.RunBinaryAsync("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "csv=p=0", recording);
            // MPEG-TS lists the stream under its program too: the first line is enough.
            var fields = System.Text.Encoding.UTF8.GetString(probe).Trim().Split('\n')[0].Split(',');
            Assert.That(fields[..4], Is.EqualTo(new[] { codec, "320", "240", "24/1" }), probeErrors);
            Assert.That(int.Parse(fields[4]), Is.InRange(48, 80), "about 3 s of pictures");
        }
        finally
        {
            File.Delete(recording);
        }
    }

    /// <summary>nginx with its RTMP module (docs/nginx/rtmp.conf as it stands), HLS into its temporary folder.</summary>
    [Test]
    public async Task H264_reaches_nginx_rtmp_and_its_hls_output_with_its_size_and_rate()
    {
        var port = FreePorts.Pick(1)[0];
        var hls = Path.Combine(Path.GetTempPath(), $"pistreaming-hls-{Guid.NewGuid():N}");
        Directory.CreateDirectory(hls);
        try
        {
            var rtmp = Nginx.RepositoryConfiguration("rtmp.conf")
                .Replace("listen 1935;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal)
                .Replace("hls_path /var/www/hls;", $"hls_path {hls};", StringComparison.Ordinal);
            Assert.That(rtmp, Does.Contain($"listen 127.0.0.1:{port};").And.Contain(hls), "the example addresses were replaced");
            using var nginx = await Nginx.StartWithAsync("", rtmp, loadRtmp: true, port);
            var target = $"rtmp://127.0.0.1:{port}/live/camera";
            await using var server = await TestServer.StartAsync(new ServerOptions
            {
                Width = 320,
                Height = 240,
                FrameRate = 24,
                Codec = VideoCodecs.H264,
                Publish = [PublishTarget.Parse(target)],
            });

            var (probe, errors, _) = await FfmpegProbe.RunBinaryAsync("ffprobe", "-v", "error", "-rw_timeout", "20000000", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "csv=p=0", target).WaitAsync(Patience);
            Assert.That(System.Text.Encoding.UTF8.GetString(probe).Trim(), Is.EqualTo("h264,320,240,24/1"), errors + nginx.ErrorLog);

            var playlist = Path.Combine(hls, "camera.m3u8");
            await Eventually.HoldsAsync(() => File.Exists(playlist) && Directory.GetFiles(hls, "*.ts").Length >= 2, Patience, "nginx writes HLS segments");
            var (hlsProbe, hlsErrors, _) = await FfmpegProbe.RunBinaryAsync("ffprobe", "-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "csv=p=0", playlist);
            Assert.That(System.Text.Encoding.UTF8.GetString(hlsProbe).Trim().Split('\n')[0], Is.EqualTo("h264,320,240,24/1"), hlsErrors);
        }
        finally
        {
            Directory.Delete(hls, recursive: true);
        }
    }

    [Test]
    public async Task A_media_server_that_takes_nothing_never_slows_the_viewers()
    {
        // Accepts the RTSP connection and never answers or reads: the publishing ffmpeg blocks, and so would a writer that waits for it.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptSocketAsync());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        Assert.That(PublishTarget.TryParse($"rtsp://127.0.0.1:{port}/live/camera", out var publish, out _), Is.True);
        await using var server = await TestServer.StartAsync(new ServerOptions
        {
            Width = 320,
            Height = 240,
            FrameRate = 24,
            Codec = VideoCodecs.Mpeg1,
            Publish = [publish],
        });
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        Assert.That(await viewer.ReceiveMessagesAsync(3, Patience), Has.Count.EqualTo(3));

        var clock = Stopwatch.StartNew();
        var messages = await viewer.ReceiveMessagesAsync(24 * 8, Patience);

        Assert.That(accepted, Is.Not.Empty, "the publisher connected to the silent media server");
        Assert.That(messages, Has.Count.EqualTo(24 * 8));
        // A publisher that held the broadcaster up would stop the viewer for its 5 s write timeout, more than once.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8 + 4)), "8 s of pictures in about 8 s, although the publisher is stuck");
        silent.Stop();
        accepted.ForEach(s => s.Dispose());
        await accepting;
    }
}
