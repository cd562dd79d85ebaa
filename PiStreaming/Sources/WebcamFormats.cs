using System.Globalization;
using System.Text.RegularExpressions;

namespace PiStreaming.Sources;

/// <summary>
/// The formats a webcam offers and the picture sizes of each, as ffmpeg's v4l2 input lists them
/// (<see cref="WebcamFormatQuery"/>): one line per format, its sizes after the line's last colon, e.g.
/// <c>[video4linux2,v4l2 @ 0x5581] Compressed:        h264 :                H.264 : 1920x1080 1280x720 640x480</c>
/// or, for a driver that takes any size in steps, <c>{32-1920, 2}x{32-1080, 2}</c>.
/// </summary>
internal sealed partial class WebcamFormats
{
    /// <summary>ffmpeg's name of the H.264 format (V4L2's H264 pixel format).</summary>
    public const string H264 = "h264";

    private readonly Dictionary<string, List<SizeRange>> formats;

    private WebcamFormats(Dictionary<string, List<SizeRange>> formats) => this.formats = formats;

    /// <summary>Nothing known (the webcam could not be asked).</summary>
    public static WebcamFormats None { get; } = new([]);

    /// <summary>ffmpeg's names of the formats offered (e.g. yuyv422, mjpeg, h264), in its order.</summary>
    public IReadOnlyCollection<string> Names => formats.Keys;

    /// <summary>Reads ffmpeg's listing; lines that list no format are ignored.</summary>
    public static WebcamFormats Parse(string listing)
    {
        var formats = new Dictionary<string, List<SizeRange>>();
        foreach (var line in listing.Split('\n'))
        {
            if (FormatLine().Match(line) is not { Success: true } format)
            {
                continue;
            }

            var sizes = line[(line.LastIndexOf(':') + 1)..];
            var ranges = SizeToken().Matches(sizes).Select(SizeRange.From);
            formats.TryAdd(format.Groups["name"].Value, []);
            formats[format.Groups["name"].Value].AddRange(ranges);
        }

        return new WebcamFormats(formats);
    }

    /// <summary>Whether <paramref name="name"/> is offered at exactly <paramref name="size"/>.</summary>
    public bool Offers(string name, FrameFormat size) => formats.TryGetValue(name, out var sizes) && sizes.Any(range => range.Contains(size));

    /// <summary>The sizes <paramref name="name"/> is offered at, for a log line ("" when it is not offered).</summary>
    public string SizesOf(string name) => formats.TryGetValue(name, out var sizes) ? string.Join(", ", sizes) : "";

    [GeneratedRegex(@"(?:Raw|Compressed)\s*:\s*(?<name>\S+)\s+:")]
    private static partial Regex FormatLine();

    [GeneratedRegex(@"\{(?<w0>\d+)-(?<w1>\d+), (?<ws>\d+)\}x\{(?<h0>\d+)-(?<h1>\d+), (?<hs>\d+)\}|(?<w>\d+)x(?<h>\d+)")]
    private static partial Regex SizeToken();

    /// <summary>One size (a discrete size: minimum and maximum equal), or every size from minimum to maximum in steps.</summary>
    private sealed record SizeRange(int MinWidth, int MaxWidth, int WidthStep, int MinHeight, int MaxHeight, int HeightStep)
    {
        public static SizeRange From(Match token)
        {
            int Read(string group) => int.Parse(token.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            return token.Groups["w"].Success
                ? new SizeRange(Read("w"), Read("w"), 1, Read("h"), Read("h"), 1)
                : new SizeRange(Read("w0"), Read("w1"), Math.Max(1, Read("ws")), Read("h0"), Read("h1"), Math.Max(1, Read("hs")));
        }

        public bool Contains(FrameFormat size) =>
            size.Width >= MinWidth && size.Width <= MaxWidth && (size.Width - MinWidth) % WidthStep == 0
            && size.Height >= MinHeight && size.Height <= MaxHeight && (size.Height - MinHeight) % HeightStep == 0;

        public override string ToString() =>
            MinWidth == MaxWidth && MinHeight == MaxHeight ? $"{MinWidth}x{MinHeight}" : $"{MinWidth}x{MinHeight} to {MaxWidth}x{MaxHeight}";
    }
}
