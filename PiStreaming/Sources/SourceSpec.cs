namespace PiStreaming.Sources;

internal enum SourceKind
{
    TestPattern,
    Stdin,
    Rpicam,
    V4l2,
    File,
    Relay,
}

/// <summary>The --source option taken apart: what kind of source, and which device or file.</summary>
internal sealed record SourceSpec(SourceKind Kind, string? Target = null)
{
    public const string DefaultVideoDevice = "/dev/video0";
    public const string Syntax = "testpattern, stdin, rpicam, v4l2[:/dev/videoN], file:PATH or relay:URL";

    /// <exception cref="FormatException">the text is not one of <see cref="Syntax"/>.</exception>
    public static SourceSpec Parse(string text) =>
        TryParse(text, out var spec, out var error) ? spec : throw new FormatException(error);

    public static bool TryParse(string text, out SourceSpec spec, out string error)
    {
        spec = new SourceSpec(SourceKind.TestPattern);
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? text : text[..colon];
        var target = colon < 0 ? null : text[(colon + 1)..];
        switch (name)
        {
            case "testpattern" or "stdin" or "rpicam" when target is null:
                spec = new SourceSpec(name switch { "testpattern" => SourceKind.TestPattern, "stdin" => SourceKind.Stdin, _ => SourceKind.Rpicam });
                return true;
            case "v4l2" when target is null:
                spec = new SourceSpec(SourceKind.V4l2, DefaultVideoDevice);
                return true;
            case "v4l2" when target.StartsWith('/'):
                spec = new SourceSpec(SourceKind.V4l2, target);
                return true;
            case "v4l2":
                error = $"v4l2 takes a device path, e.g. v4l2:{DefaultVideoDevice} (got '{target}')";
                return false;
            case "file" when !string.IsNullOrEmpty(target):
                spec = new SourceSpec(SourceKind.File, target);
                return true;
            case "file":
                error = "file needs a path, e.g. file:/home/pi/demo.mp4";
                return false;
            case "relay" when Uri.TryCreate(target, UriKind.Absolute, out var origin) && origin.Scheme is "ws" or "wss" or "http" or "https"
                && origin.Host.Length > 0:
                spec = new SourceSpec(SourceKind.Relay, origin.ToString());
                return true;
            case "relay":
                error = $"relay takes another PiStreaming's video address, e.g. relay:ws://camera.local:8082/video or relay:http://camera.local:8082/stream.mpg (got '{target}')";
                return false;
            default:
                error = $"one of: {Syntax}";
                return false;
        }
    }

    public override string ToString() => Target is null ? Kind.ToString().ToLowerInvariant() : $"{Kind.ToString().ToLowerInvariant()}:{Target}";
}
