using System.Globalization;

namespace PiStreaming.Tests.Support;

/// <summary>
/// A stand-in for rpicam-vid --codec h264, in a directory of its own that tests put first on PATH: it fails
/// loudly unless it gets exactly the expected arguments, then writes H.264 (annex B, made by ffmpeg's
/// libx264 from its testsrc pattern, baseline, SPS and PPS before every IDR picture) at the frame rate.
/// </summary>
internal sealed class FakeH264Rpicam : IDisposable
{
    private FakeH264Rpicam(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>PATH with this directory first, for the server process.</summary>
    public IDictionary<string, string?> Environment =>
        new Dictionary<string, string?> { ["PATH"] = Directory + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH") };

    /// <summary>What the fake camera was started with, one line per start.</summary>
    public string[] Starts => File.Exists(StartsFile) ? File.ReadAllLines(StartsFile) : [];

    private string StartsFile => Path.Combine(Directory, "starts.log");

    public static FakeH264Rpicam Create(FrameFormat format, string expectedArguments, double framesPerSecond = 24, int intraPeriod = 24)
    {
        var camera = new FakeH264Rpicam(System.IO.Directory.CreateTempSubdirectory("pistreaming-fake-h264-camera-").FullName);
        var rate = framesPerSecond.ToString(CultureInfo.InvariantCulture);
        var script = $"""
            #!/bin/sh
            # Stand-in for rpicam-vid --codec h264, written by a PiStreaming test.
            echo "$*" >> '{camera.StartsFile}'
            expected='{expectedArguments}'
            if [ "$*" != "$expected" ]; then
              echo "fake rpicam-vid: wrong arguments: '$*' (expected '$expected')" >&2
              exit 64
            fi
            echo "fake rpicam-vid: streaming H.264 {format}" >&2
            exec ffmpeg -v error -nostdin -re -f lavfi -i testsrc=size={format}:rate={rate} -pix_fmt yuv420p \
              -c:v libx264 -preset ultrafast -tune zerolatency -profile:v baseline -bf 0 -g {intraPeriod} -keyint_min {intraPeriod} -sc_threshold 0 \
              -x264-params repeat-headers=1 -f h264 -flush_packets 1 pipe:1
            """;
        var path = Path.Combine(camera.Directory, "rpicam-vid");
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return camera;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
