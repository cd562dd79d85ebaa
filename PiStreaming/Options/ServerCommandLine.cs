using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PiStreaming.Sources;

namespace PiStreaming.Options;

/// <summary>The command line: every option, its default and its validation rule.</summary>
internal static partial class ServerCommandLine
{
    private static readonly ServerOptions Defaults = new();

    private static readonly Option<int> Width = Number("--width", "Picture width in pixels (even, 16 to 1920)", Defaults.Width,
        v => v is >= 16 and <= ServerOptions.MaxWidth && v % 2 == 0, "an even number from 16 to 1920");

    private static readonly Option<int> Height = Number("--height", "Picture height in pixels (even, 16 to 1080)", Defaults.Height,
        v => v is >= 16 and <= ServerOptions.MaxHeight && v % 2 == 0, "an even number from 16 to 1080");

    private static readonly Option<double> FrameRate = new("--framerate", "-r")
    {
        Description = "Camera frames per second, 1 to 60. " + Mpeg1FrameRate.HelpText,
        DefaultValueFactory = _ => Defaults.FrameRate,
        Validators = { r => Check(r, (double v) => v is >= 1 and <= 60, "a number from 1 to 60") },
    };

    private static readonly Option<int> Bitrate = Number("--bitrate", "MPEG-1 bitrate in kbit/s", Defaults.BitrateKbps,
        v => v is >= 50 and <= 20000, "a number of kbit/s from 50 to 20000");

    private static readonly Option<int> H264Bitrate = Number("--h264-bitrate", "H.264 bitrate in kbit/s", Defaults.H264BitrateKbps,
        v => v is >= 50 and <= 20000, "a number of kbit/s from 50 to 20000");

    private static readonly Option<VideoCodecs> Codec = new("--codec")
    {
        Description = "Video streams offered to browsers: mpeg1 (jsmpg.js, any browser), h264 (WebCodecs or Media Source Extensions; "
            + "with --source rpicam, or a webcam that offers H.264 at the size asked, the camera encodes it) or both (each browser takes H.264 if it can)",
        DefaultValueFactory = _ => Defaults.Codec,
    };

    private static readonly Option<int> HttpPort = Number("--http-port", "Port of the web page", Defaults.HttpPort,
        IsPort, "a port from 0 to 65535");

    private static readonly Option<int> WebSocketPort = Number("--ws-port", "Port of the video WebSocket", Defaults.WebSocketPort,
        IsPort, "a port from 0 to 65535");

    private static readonly Option<string> Bind = new("--bind")
    {
        Description = "Address to listen on, e.g. 127.0.0.1 or ::1 (default: every interface, IPv6 and IPv4)",
        Validators = { r => Check(r, (string v) => IPAddress.TryParse(v, out _), "an IP address") },
    };

    private static readonly Option<string> Source = new("--source", "-s")
    {
        Description = "Where frames come from: testpattern (a moving test picture), stdin (raw I420 frames of the configured size), "
            + "rpicam (the Raspberry Pi camera, via rpicam-vid), v4l2[:/dev/videoN] (a USB webcam, default /dev/video0) "
            + "file:PATH (a video file, looped) or relay:URL (another PiStreaming's streams, passed on without re-encoding: "
            + "ws://HOST:8082/video (MPEG-1 and H.264, as the origin offers) or http://HOST:8082/stream.mpg (MPEG-1); size and rate are the origin's)",
        DefaultValueFactory = _ => Defaults.Source,
        Validators = { CheckSource },
    };

    private static readonly Option<LatencyMode> Latency = new("--latency")
    {
        Description = "low: each picture is shown as soon as it is encoded (about two frame intervals sooner); "
            + "classic: the original server's behaviour",
        DefaultValueFactory = _ => Defaults.Latency,
    };

    private static readonly Option<int?> Stride = new("--stride")
    {
        Description = "Bytes per luma row in the camera's raw frames, padding included; chroma rows are half that "
            + "(rpicam default: the width rounded up to a multiple of 64, as Pi 4 and older write them; stdin default: the width)",
        Validators = { r => Check(r, (int? v) => v is >= 16 and <= 8192 && v % 2 == 0, "an even number of bytes from 16 to 8192") },
    };

    private static readonly Option<bool> ListDevices = new("--list-devices") { Description = "List the video devices (USB webcams) present, then exit" };

    private static readonly Option<int> MaxViewers = Number("--max-viewers", "Viewers beyond this many are refused (they may try again later)",
        Defaults.MaxViewers, v => v is >= 1 and <= 100_000, "a number from 1 to 100000");

    private static readonly Option<string[]> AllowOrigin = new("--allow-origin")
    {
        Description = "Also let pages from this origin (e.g. http://dashboard.local:8123) watch the video; repeatable; * allows any page. "
            + "Without it, only the page's own host may (clients that send no Origin, such as media players, always may)",
        AllowMultipleArgumentsPerToken = false,
        Validators = { CheckOrigins },
    };

    private static readonly Option<string[]> Publish = new("--publish")
    {
        Description = "Also push the stream to a media server, copied, never re-encoded: srt://HOST:PORT or udp://HOST:PORT (MPEG-TS), "
            + "rtsp://HOST[:PORT]/PATH (RTSP over TCP), rtmp://HOST/APP/KEY (FLV: H.264 only); repeatable. "
            + "Retried with backoff while the server is down; never slows the viewers",
        AllowMultipleArgumentsPerToken = false,
        Validators = { CheckPublishTargets },
    };

    private static readonly Option<int> MjpegQuality = Number("--mjpeg-quality", "JPEG quality of the MJPEG stream and snapshots, 1 (smallest) to 100 (best)",
        Defaults.MjpegQuality, v => v is >= 1 and <= 100, "a number from 1 to 100");

    private static readonly Option<bool> HorizontalFlip = new("--hflip") { Description = "Mirror the picture left to right" };
    private static readonly Option<bool> VerticalFlip = new("--vflip") { Description = "Turn the picture upside down" };

    private static readonly Option<string> Color = ColorOption("--color", "Page foreground colour", Defaults.Color);
    private static readonly Option<string> BackgroundColor = ColorOption("--background-color", "Page background colour", Defaults.BackgroundColor);

    private static readonly Option<string> Credentials = new("--credentials")
    {
        HelpName = "FILE",
        Description = "Make the camera private: only the users and tokens in this file may watch (manage it with the user and token commands). "
            + "Without it, anyone who can reach the ports may",
    };

    private static readonly Option<string> TlsCertificate = new("--tls-cert")
    {
        HelpName = "FILE",
        Description = "Serve https and wss with this PEM certificate (with its chain, e.g. certbot's fullchain.pem); needs --tls-key; reloaded when it changes",
    };

    private static readonly Option<string> TlsKey = new("--tls-key") { HelpName = "FILE", Description = "The PEM private key of --tls-cert (e.g. certbot's privkey.pem)" };

    private static readonly Option<string> Tls = new("--tls")
    {
        HelpName = "self-signed",
        Description = "self-signed: serve https and wss with a certificate made once and kept in the data directory (its fingerprint is printed at start)",
        Validators = { r => Check(r, (string v) => v == SelfSigned, SelfSigned) },
    };

    private static readonly Option<string> DataDirectory = new("--data-dir")
    {
        HelpName = "DIR",
        Description = "Where the server keeps the self-signed certificate and the keys of login cookies "
            + "(default: $XDG_DATA_HOME/pistreaming, else ~/.local/share/pistreaming)",
    };

    private const string SelfSigned = "self-signed";

    public static RootCommand Create()
    {
        var root = new RootCommand("PiStreaming: streams a camera live to web browsers (H.264 or MPEG-1 over WebSocket).\n"
            + "Runs on Raspberry Pi 3, 4, 5 and Zero 2 W (64-bit Raspberry Pi OS: ./build.sh publish linux-arm64), Pi 2, 3, 4 and Zero 2 W "
            + "(32-bit: linux-arm) and x64 Linux (linux-x64); not on the ARMv6 Pi Zero, Zero W and Pi 1, where .NET does not run.\n"
            + "Options can also come from a file: PiStreaming @FILE (options as on the command line, one or more per line; lines starting with # are ignored), "
            + "as the pistreaming service reads /etc/pistreaming/pistreaming.conf.");
        foreach (var option in new Option[]
                 {
                     Width, Height, FrameRate, Codec, Bitrate, H264Bitrate, MjpegQuality, HttpPort, WebSocketPort, Bind, AllowOrigin, Source, Stride, Latency, MaxViewers,
                     Publish,
                     HorizontalFlip, VerticalFlip, Color, BackgroundColor, Credentials, Tls, TlsCertificate, TlsKey, DataDirectory, ListDevices,
                 })
        {
            root.Options.Add(option);
        }

        foreach (var command in Access.AccessCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        // Serving is the program's own work (see Serves); this only tells System.CommandLine that the root
        // command needs no subcommand.
        root.SetAction(_ => 0);

        root.Validators.Add(r =>
        {
            // RTMP (FLV) carries H.264 only: it needs the H.264 stream (a relay has it when its origin has; Program checks that once it knows).
            if (r.GetValue(Publish) is { } targets && targets.FirstOrDefault(t => Publishing.PublishTarget.TryParse(t, out var target, out _) && !target.CarriesMpeg1)
                is { } rtmp && !r.GetValue(Codec).HasH264() && r.GetValue(Source)?.StartsWith("relay:", StringComparison.Ordinal) != true)
            {
                r.AddError($"--publish {Publishing.PublishTarget.Parse(rtmp).Redacted}: RTMP (FLV) carries H.264 only; publish with --codec h264 or both, "
                    + "or to srt://, rtsp:// or udp://, which carry MPEG-1 too");
            }

            if (r.GetValue(HttpPort) == r.GetValue(WebSocketPort) && r.GetValue(HttpPort) != 0)
            {
                r.AddError("--http-port and --ws-port must differ");
            }

            if ((r.GetResult(TlsCertificate) is null) != (r.GetResult(TlsKey) is null))
            {
                r.AddError("--tls-cert and --tls-key go together");
            }

            if (r.GetResult(Tls) is not null && r.GetResult(TlsCertificate) is not null)
            {
                r.AddError("--tls self-signed and --tls-cert exclude each other");
            }

            if (r.GetValue(Stride) is { } stride && WidthWhileValidating(r) is { } width && stride < width)
            {
                r.AddError($"--stride must be at least the width ({width}), got {stride}");
            }
        });
        return root;
    }

    public static ServerOptions ToOptions(ParseResult result) => new()
    {
        Width = result.GetValue(Width),
        Height = result.GetValue(Height),
        FrameRate = result.GetValue(FrameRate),
        BitrateKbps = result.GetValue(Bitrate),
        Codec = result.GetValue(Codec),
        H264BitrateKbps = result.GetValue(H264Bitrate),
        HttpPort = result.GetValue(HttpPort),
        WebSocketPort = result.GetValue(WebSocketPort),
        Bind = result.GetValue(Bind) is { } bind ? IPAddress.Parse(bind) : null,
        Source = result.GetValue(Source) ?? Defaults.Source,
        Latency = result.GetValue(Latency),
        Stride = result.GetValue(Stride),
        MaxViewers = result.GetValue(MaxViewers),
        MjpegQuality = result.GetValue(MjpegQuality),
        AllowedOrigins = result.GetValue(AllowOrigin) is { Length: > 0 } origins
            ? [.. origins.Select(o => o == Web.OriginPolicy.AnyOrigin ? o : Web.OriginPolicy.TryNormalize(o)!)]
            : Defaults.AllowedOrigins,
        Publish = result.GetValue(Publish) is { Length: > 0 } targets
            ? [.. targets.Select(t => Publishing.PublishTarget.TryParse(t, out var target, out _) ? target : null!)]
            : Defaults.Publish,
        HorizontalFlip = result.GetValue(HorizontalFlip),
        VerticalFlip = result.GetValue(VerticalFlip),
        Color = result.GetValue(Color) ?? Defaults.Color,
        BackgroundColor = result.GetValue(BackgroundColor) ?? Defaults.BackgroundColor,
        CredentialsFile = result.GetValue(Credentials),
        TlsCertificateFile = result.GetValue(TlsCertificate),
        TlsKeyFile = result.GetValue(TlsKey),
        TlsSelfSigned = result.GetValue(Tls) == SelfSigned,
        DataDirectory = result.GetValue(DataDirectory),
    };

    /// <summary>
    /// A video file's own size and rate wherever the command line left them out: the size unless --width or
    /// --height was given, the rate unless --framerate was.
    /// </summary>
    internal static ServerOptions WithFileDefaults(ServerOptions options, ParseResult result, NativeVideoFormat native)
    {
        if (!Given(result, Width) && !Given(result, Height))
        {
            options = options with { Width = native.StreamFormat.Width, Height = native.StreamFormat.Height };
        }

        return !Given(result, FrameRate) && native.StreamFrameRate is { } rate ? options with { FrameRate = rate } : options;
    }

    /// <summary>The command line asks to serve (not --help, --version, nor a user or token command).</summary>
    public static bool Serves(ParseResult result) => result.Action == result.RootCommandResult.Command.Action;

    /// <summary>--list-devices was given: list video devices instead of serving.</summary>
    public static bool WantsDeviceList(ParseResult result) => result.GetValue(ListDevices);

    // Defaults are not filled in yet while validating, and a width that does not parse has its own error.
    private static int? WidthWhileValidating(CommandResult result)
    {
        if (result.GetResult(Width) is not { Implicit: false } width)
        {
            return Defaults.Width;
        }

        try
        {
            return width.GetValueOrDefault<int>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static void CheckSource(OptionResult result)
    {
        if (result.Errors.Any() || result.Implicit || result.GetValueOrDefault<string>() is not { } text)
        {
            return;
        }

        if (!SourceSpec.TryParse(text, out var spec, out var error))
        {
            result.AddError($"--source must be {error} (got '{text}')");
        }
        else if (spec.Kind == SourceKind.File && !File.Exists(spec.Target))
        {
            result.AddError($"--source {text}: no such file");
        }
    }

    private static void CheckPublishTargets(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!Publishing.PublishTarget.TryParse(token.Value, out var target, out var error))
            {
                result.AddError($"--publish must be {error} (got '{token.Value}')");
                return;
            }

        }
    }

    private static void CheckOrigins(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value != Web.OriginPolicy.AnyOrigin && Web.OriginPolicy.TryNormalize(token.Value) is null)
            {
                result.AddError($"--allow-origin must be * or an origin like http://dashboard.local:8123 (got '{token.Value}')");
                return;
            }
        }
    }

    private static bool IsPort(int v) => v is >= 0 and <= 65535;

    private static Option<int> Number(string name, string description, int defaultValue, Func<int, bool> isValid, string expected) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            Validators = { r => Check(r, isValid, expected) },
        };

    private static Option<string> ColorOption(string name, string description, string defaultValue) =>
        new(name)
        {
            Description = $"{description}, as #rgb or #rrggbb",
            DefaultValueFactory = _ => defaultValue,
            Validators = { r => Check(r, (string v) => CssColor().IsMatch(v), "a colour like #444 or #1e90ff") },
        };

    private static void Check<T>(OptionResult result, Func<T, bool> isValid, string expected)
    {
        // Values that do not even parse already carry System.CommandLine's own error.
        if (result.Errors.Any() || result.Implicit)
        {
            return;
        }

        T? value;
        try
        {
            value = result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return; // not a T at all: System.CommandLine reports that itself
        }

        if (value is null || !isValid(value))
        {
            var given = string.Join(' ', result.Tokens.Select(t => t.Value));
            result.AddError($"{result.IdentifierToken?.Value ?? result.Option.Name} must be {expected} (got '{given}')");
        }
    }

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex CssColor();
}
