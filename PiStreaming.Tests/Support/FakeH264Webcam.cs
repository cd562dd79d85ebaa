using System.Globalization;
using PiStreaming.Processes;

namespace PiStreaming.Tests.Support;

/// <summary>
/// A USB webcam that encodes H.264 itself, as the server sees one: an <c>ffmpeg</c> first on the server's PATH
/// that answers <c>-f v4l2 -list_formats all</c> with the formats the test gives, captures from "the webcam"
/// (any <c>-f v4l2</c> command line, written to <see cref="Starts"/>) and hands everything else (the JPEG
/// encoder, the H.264 encoder) to the real ffmpeg. With <c>-input_format h264</c> it fails loudly unless it
/// gets exactly the expected arguments, then writes a real H.264 stream made by ffmpeg's libx264 beforehand,
/// as webcams send it: SPS and PPS once at the start, an IDR picture every <see cref="IdrInterval"/> pictures
/// (2 s), in real time and looped. Nothing encodes while it plays. Without <c>-input_format h264</c> it writes
/// raw I420 frames of ffmpeg's testsrc pattern.
/// </summary>
internal sealed class FakeH264Webcam : IDisposable
{
    public const int IdrInterval = 48;
    private const int FramesPerSecond = 24;

    // Long enough that the SPS and PPS the loop repeats at the file's start are not what a test relies on.
    private const int StreamFrames = 30 * FramesPerSecond;

    private readonly FakeFfmpeg ffmpeg;

    private FakeH264Webcam(FakeFfmpeg ffmpeg) => this.ffmpeg = ffmpeg;

    /// <summary>PATH with the fake first, for the server process.</summary>
    public IDictionary<string, string?> Environment => ffmpeg.Environment;

    /// <summary>The command line of every capture from the webcam, one line per start.</summary>
    public string[] Starts => File.Exists(StartsFile) ? File.ReadAllLines(StartsFile) : [];

    private string Directory => Path.GetDirectoryName(ffmpeg.Path)!;
    private string StartsFile => Path.Combine(Directory, "starts.log");
    private string StreamFile => Path.Combine(Directory, "webcam.h264");
    private string ListingFile => Path.Combine(Directory, "formats.txt");

    /// <param name="listing">what ffmpeg prints for the webcam's formats, one line per format.</param>
    /// <param name="expectedH264Arguments">the only command line under which it gives its H.264.</param>
    public static async Task<FakeH264Webcam> CreateAsync(FrameFormat format, string listing, string expectedH264Arguments)
    {
        var real = ExecutableLocator.Find("ffmpeg");
        Assert.That(real, Is.Not.Null, "ffmpeg is installed");
        var rate = FramesPerSecond.ToString(CultureInfo.InvariantCulture);
        var webcam = new FakeH264Webcam(FakeFfmpeg.Script(fake =>
        {
            var directory = Path.GetDirectoryName(fake.Path)!;
            return $"""
                case " $* " in
                  *" -list_formats all "*)
                    cat '{directory}/formats.txt' >&2
                    echo "fake webcam: Immediate exit requested" >&2
                    exit 1 ;;
                  *" -input_format h264 "*)
                    echo "$*" >> '{directory}/starts.log'
                    expected='{expectedH264Arguments}'
                    if [ "$*" != "$expected" ]; then
                      echo "fake webcam: wrong arguments: '$*' (expected '$expected')" >&2
                      exit 64
                    fi
                    echo "fake webcam: streaming its own H.264 {format}" >&2
                    while :; do cat '{directory}/webcam.h264'; done \
                      | exec '{real}' -v error -nostdin -re -f h264 -framerate {rate} -i pipe:0 -c:v copy -f h264 -flush_packets 1 pipe:1 ;;
                  *" -f v4l2 "*)
                    echo "$*" >> '{directory}/starts.log'
                    echo "fake webcam: streaming raw frames {format}" >&2
                    exec '{real}' -v error -nostdin -re -f lavfi -i testsrc=size={format}:rate={rate} -pix_fmt yuv420p -f rawvideo -flush_packets 1 pipe:1 ;;
                esac
                exec '{real}' "$@"
                """;
        }));
        await File.WriteAllTextAsync(webcam.ListingFile, listing.ReplaceLineEndings("\n") + "\n");
        await File.WriteAllBytesAsync(webcam.StreamFile, await OnceHeadedStreamAsync(format));
        return webcam;
    }

    // libx264 repeats SPS and PPS before every IDR picture; a webcam sends them once: keep the first access
    // unit's SPS and PPS (filter_units=pass_types) in front of the stream without any (remove_types).
    private static async Task<byte[]> OnceHeadedStreamAsync(FrameFormat format)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pistreaming-webcam-{Guid.NewGuid():N}.h264");
        await File.WriteAllBytesAsync(file, await FfmpegProbe.GenerateAsync(
            "-f", "lavfi", "-i", $"testsrc=size={format}:rate={FramesPerSecond}", "-frames:v", StreamFrames.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline", "-bf", "0",
            "-g", $"{IdrInterval}", "-keyint_min", $"{IdrInterval}", "-sc_threshold", "0", "-x264-params", "repeat-headers=1", "-f", "h264"));
        try
        {
            var headers = await FfmpegProbe.GenerateAsync("-f", "h264", "-i", file, "-c:v", "copy", "-frames:v", "1",
                "-bsf:v", "filter_units=pass_types=7|8", "-f", "h264");
            var pictures = await FfmpegProbe.GenerateAsync("-f", "h264", "-i", file, "-c:v", "copy", "-bsf:v", "filter_units=remove_types=7|8", "-f", "h264");
            byte[] stream = [.. headers, .. pictures];
            var types = H264AccessUnit.NalTypes(stream);
            Assert.That((types.Count(t => t == H264AccessUnit.SequenceParameterSet), types.Count(t => t == H264AccessUnit.PictureParameterSet)),
                Is.EqualTo((1, 1)), "the webcam's stream has its SPS and PPS once");
            return stream;
        }
        finally
        {
            File.Delete(file);
        }
    }

    public void Dispose() => ffmpeg.Dispose();
}
