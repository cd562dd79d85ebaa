using System.Net;
using PiStreaming.Options;

namespace PiStreaming.Tests.Unit;

public class CommandLineTests
{
    private static ServerOptions Parse(params string[] args)
    {
        var result = ServerCommandLine.Create().Parse(args);
        Assert.That(result.Errors, Is.Empty, string.Join("; ", result.Errors.Select(e => e.Message)));
        return ServerCommandLine.ToOptions(result);
    }

    private static string Error(params string[] args)
    {
        var result = ServerCommandLine.Create().Parse(args);
        Assert.That(result.Errors, Is.Not.Empty, "expected an error for: " + string.Join(' ', args));
        return result.Errors[0].Message;
    }

    [Test]
    public void Defaults_are_the_originals()
    {
        var options = Parse();
        Assert.Multiple(() =>
        {
            Assert.That((options.Width, options.Height, options.FrameRate, options.BitrateKbps), Is.EqualTo((640, 480, 24.0, 800)));
            Assert.That((options.HttpPort, options.WebSocketPort), Is.EqualTo((8082, 8084)));
            Assert.That((options.Color, options.BackgroundColor, options.Source), Is.EqualTo(("#444", "#333", "testpattern")));
            Assert.That(options.Bind, Is.Null);
            Assert.That(options.MaxViewers, Is.EqualTo(2500));
            Assert.That(options.HorizontalFlip || options.VerticalFlip, Is.False);
        });
    }

    [Test]
    public void Privacy_options_are_read()
    {
        var options = Parse("--credentials", "users.json", "--tls-cert", "fullchain.pem", "--tls-key", "privkey.pem", "--data-dir", "/var/lib/cam");
        Assert.That((options.CredentialsFile, options.TlsCertificateFile, options.TlsKeyFile, options.DataDirectory, options.TlsSelfSigned),
            Is.EqualTo(("users.json", "fullchain.pem", "privkey.pem", "/var/lib/cam", false)));
        Assert.That(Parse("--tls", "self-signed").TlsSelfSigned, Is.True);
        Assert.That(Parse().CredentialsFile, Is.Null, "open by default");
    }

    [TestCase("--tls-cert", "c.pem", "--tls-cert and --tls-key go together")]
    [TestCase("--tls-key", "k.pem", "--tls-cert and --tls-key go together")]
    [TestCase("--tls", "yes", "--tls must be self-signed (got 'yes')")]
    public void Privacy_options_are_checked(string option, string value, string expected) => Assert.That(Error(option, value), Is.EqualTo(expected));

    [Test]
    public void Self_signed_and_given_certificate_exclude_each_other() =>
        Assert.That(Error("--tls", "self-signed", "--tls-cert", "c", "--tls-key", "k"), Is.EqualTo("--tls self-signed and --tls-cert exclude each other"));

    [Test]
    public void The_user_and_token_commands_are_not_served()
    {
        var root = ServerCommandLine.Create();
        Assert.That(ServerCommandLine.Serves(root.Parse([])), Is.True);
        Assert.That(ServerCommandLine.Serves(root.Parse(["user", "add", "alice", "--credentials", "f"])), Is.False);
        Assert.That(ServerCommandLine.Serves(root.Parse(["--help"])), Is.False);
        Assert.That(root.Parse(["token", "add", "ha"]).Errors.Single().Message, Does.Contain("--credentials"));
    }

    [Test]
    public void Every_option_is_read()
    {
        var options = Parse("--width", "1280", "--height", "720", "--framerate", "30", "--bitrate", "2000", "--http-port", "9000",
            "--ws-port", "9001", "--bind", "127.0.0.1", "--source", "stdin", "--hflip", "--vflip", "--color", "#fff",
            "--background-color", "#000000", "--max-viewers", "10", "--mjpeg-quality", "55");
        Assert.That(options, Is.EqualTo(new ServerOptions
        {
            Width = 1280,
            Height = 720,
            FrameRate = 30,
            BitrateKbps = 2000,
            HttpPort = 9000,
            WebSocketPort = 9001,
            Bind = IPAddress.Loopback,
            Source = "stdin",
            HorizontalFlip = true,
            VerticalFlip = true,
            Color = "#fff",
            BackgroundColor = "#000000",
            MaxViewers = 10,
            MjpegQuality = 55,
        }));
    }

    [TestCase("--width", "641", "even")]
    [TestCase("--width", "0", "even")]
    [TestCase("--width", "4096", "1920")]
    [TestCase("--height", "1081", "1080")]
    [TestCase("--width", "abc", "abc")]
    [TestCase("--framerate", "0", "1 to 60")]
    [TestCase("--framerate", "61", "1 to 60")]
    [TestCase("--bitrate", "-5", "kbit/s")]
    [TestCase("--http-port", "70000", "port")]
    [TestCase("--source", "webcam9", "testpattern")]
    [TestCase("--bind", "not-an-ip", "IP address")]
    [TestCase("--max-viewers", "0", "1 to 100000")]
    [TestCase("--color", "red;}", "colour")]
    [TestCase("--publish", "ftp://media.local/live", "scheme 'ftp'")]
    [TestCase("--publish", "srt://media.local", "srt needs a port")]
    [TestCase("--publish", "rtmp://media.local/live/key", "RTMP (FLV) carries H.264 only")]
    [TestCase("--source", "relay:camera.local", "relay takes another PiStreaming's video address")]
    public void Invalid_values_give_one_clear_line(string option, string value, string expectedText)
    {
        var message = Error(option, value);
        Assert.That(message, Does.Contain(expectedText));
        Assert.That(message, Does.Not.Contain('\n'));
    }

    [Test]
    public void Media_servers_to_publish_to_are_read_with_their_container()
    {
        var publish = Parse("--publish", "srt://media.local:8890?streamid=publish:cam", "--publish", "rtsp://user:secret@media.local:8554/cam").Publish;
        Assert.That(publish.Select(p => (p.Format, p.Redacted)), Is.EqualTo(new[]
        {
            (Publishing.PublishFormat.MpegTs, "srt://media.local:8890"),
            (Publishing.PublishFormat.Rtsp, "rtsp://media.local:8554"),
        }), "the log never shows user, password or stream key");
    }

    [TestCase("rpicam")]
    [TestCase("v4l2")]
    [TestCase("v4l2:/dev/video3")]
    public void Camera_sources_are_accepted(string source) => Assert.That(Parse("--source", source).Source, Is.EqualTo(source));

    [Test]
    public void File_source_needs_an_existing_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.That(Parse("--source", "file:" + file).Source, Is.EqualTo("file:" + file));
        }
        finally
        {
            File.Delete(file);
        }

        Assert.That(Error("--source", "file:" + file), Does.Contain("no such file"));
    }

    [Test]
    public void Stride_is_read_and_defaults_to_the_sources_rule()
    {
        Assert.That(Parse().Stride, Is.Null);
        Assert.That(Parse("--width", "1296", "--height", "972", "--stride", "1344").Stride, Is.EqualTo(1344));
    }

    [TestCase("--stride", "1343", "even")]
    [TestCase("--stride", "600", "at least the width (640)")]
    [TestCase("--source", "v4l2:video0", "device path")]
    public void Bad_camera_options_give_one_clear_line(string option, string value, string expectedText)
    {
        var message = Error(option, value);
        Assert.That(message, Does.Contain(expectedText));
        Assert.That(message, Does.Not.Contain('\n'));
    }

    [Test]
    public void Same_port_twice_is_refused() =>
        Assert.That(Error("--http-port", "9000", "--ws-port", "9000"), Does.Contain("must differ"));

    [Test]
    public void Unknown_option_is_refused() => Assert.That(Error("--frobnicate"), Does.Contain("--frobnicate"));

    [Test]
    public void Allow_origin_is_repeatable_and_normalized() =>
        Assert.That(Parse("--allow-origin", "HTTP://Dash.local:8123/", "--allow-origin", "*").AllowedOrigins, Is.EqualTo(new[] { "http://dash.local:8123", "*" }));

    [TestCase("dash.local")]
    [TestCase("http://dash.local/some/page")]
    public void Allow_origin_must_be_an_origin(string value) =>
        Assert.That(Error("--allow-origin", value), Does.StartWith("--allow-origin must be * or an origin"));

    [TestCase("0")]
    [TestCase("101")]
    [TestCase("high")]
    public void Mjpeg_quality_is_1_to_100(string value) => Assert.That(Error("--mjpeg-quality", value), Does.StartWith("--mjpeg-quality must be a number from 1 to 100").Or.Contain("high"));
}
