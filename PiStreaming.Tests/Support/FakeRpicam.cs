using System.Globalization;
using PiStreaming.Sources;

namespace PiStreaming.Tests.Support;

/// <summary>
/// A stand-in for rpicam-vid, in a directory of its own that tests put first on PATH. The script
/// fails loudly unless it gets exactly the expected arguments, then writes one testsrc picture over
/// and over at the frame rate, each row padded to the stride the way the Pi camera pads them. ffmpeg's
/// pad filter makes the padding: an I420 picture <c>stride</c> wide has exactly the camera's layout
/// (luma rows of stride bytes, chroma rows of half that, no padding rows).
/// </summary>
internal sealed class FakeRpicam : IDisposable
{
    private readonly FrameFormat format;
    private readonly int stride;
    private readonly double framesPerSecond;

    private FakeRpicam(string directory, FrameFormat format, int stride, double framesPerSecond, byte[] picture)
    {
        Directory = directory;
        this.format = format;
        this.stride = stride;
        this.framesPerSecond = framesPerSecond;
        Picture = picture;
    }

    public string Directory { get; }

    /// <summary>The picture the camera shows, without padding: what viewers should see.</summary>
    public byte[] Picture { get; }

    /// <summary>The padded frames file; its path appears on the fake camera's command line.</summary>
    public string FramesFile => Path.Combine(Directory, "padded-frame.yuv");

    /// <summary>PATH with this directory first, for the server process.</summary>
    public IDictionary<string, string?> Environment =>
        new Dictionary<string, string?> { ["PATH"] = Directory + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH") };

    /// <param name="install">false leaves the directory without a camera tool (a Pi without rpicam-apps).</param>
    public static async Task<FakeRpicam> CreateAsync(FrameFormat format, int stride, string expectedArguments,
        string programName = "rpicam-vid", double framesPerSecond = 24, bool install = true)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("pistreaming-fake-camera-").FullName;
        var source = $"testsrc=size={format}:rate=1";
        var picture = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", source, "-frames:v", "1", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        var padded = await FfmpegProbe.GenerateAsync("-f", "lavfi", "-i", source, "-frames:v", "1",
            "-vf", $"pad={stride}:{format.Height}:0:0:color=magenta", "-pix_fmt", "yuv420p", "-f", "rawvideo");
        Assert.That(padded, Has.Length.EqualTo(new FrameLayout(format, stride).StoredFrameSize), "the padded test frame has the camera's layout");

        var camera = new FakeRpicam(directory, format, stride, framesPerSecond, picture);
        await File.WriteAllBytesAsync(camera.FramesFile, padded);
        if (install)
        {
            camera.InstallWorking(expectedArguments, programName);
        }

        return camera;
    }

    /// <summary>Puts (or replaces) the working camera script.</summary>
    public void InstallWorking(string expectedArguments, string programName = "rpicam-vid")
    {
        var rate = framesPerSecond.ToString(CultureInfo.InvariantCulture);
        Install(programName, $"""
            #!/bin/sh
            # Stand-in for {programName}, written by a PiStreaming test.
            expected='{expectedArguments}'
            if [ "$*" != "$expected" ]; then
              echo "fake {programName}: wrong arguments: '$*' (expected '$expected')" >&2
              exit 64
            fi
            echo "fake {programName}: streaming {format} in rows of {stride} bytes" >&2
            exec ffmpeg -v error -nostdin -re -stream_loop -1 -f rawvideo -video_size {stride}x{format.Height} -pix_fmt yuv420p \
              -framerate {rate} -i '{FramesFile}' -c:v copy -f rawvideo -flush_packets 1 pipe:1
            """);
    }

    /// <summary>Where a camera tool installed with <c>leaveBehind</c> notes the process it left behind.</summary>
    public string LeftBehindPidFile => Path.Combine(Directory, "left-behind.pid");

    /// <summary>Puts (or replaces) a camera tool that sends <paramref name="frames"/> frames and then hangs without exiting.</summary>
    /// <param name="leaveBehind">first start a process outside its tree that holds its stdout and stderr (see <see cref="LeftBehind"/>).</param>
    public void InstallHanging(int frames, string programName = "rpicam-vid", bool leaveBehind = false)
    {
        var rate = framesPerSecond.ToString(CultureInfo.InvariantCulture);
        Install(programName, $"""
            #!/bin/sh
            ffmpeg -v error -nostdin -re -stream_loop -1 -f rawvideo -video_size {stride}x{format.Height} -pix_fmt yuv420p \
              -framerate {rate} -i '{FramesFile}' -frames:v {frames} -c:v copy -f rawvideo -flush_packets 1 pipe:1
            {(leaveBehind ? LeftBehind.Script(LeftBehindPidFile) : "")}
            echo "fake {programName}: hanging" >&2
            exec sleep 600
            """);
    }

    /// <summary>Puts (or replaces) a camera tool that fails at once, like rpicam-vid when another program holds the camera.</summary>
    public void InstallFailing(string message, int exitCode, string programName = "rpicam-vid") =>
        Install(programName, $"""
            #!/bin/sh
            echo '{message}' >&2
            exit {exitCode}
            """);

    public void Dispose()
    {
        LeftBehind.Kill(LeftBehindPidFile);
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    // Written beside and renamed into place, so the server never runs a half-written script.
    private void Install(string programName, string script)
    {
        var temporary = Path.Combine(Directory, $".{programName}.new");
        File.WriteAllText(temporary, script.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.Move(temporary, Path.Combine(Directory, programName), overwrite: true);
    }
}
