using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// --source rpicam end to end, as a real server process, with a fake rpicam-vid first on PATH
/// (no camera exists here): padding stripped for every size, flips, the stride override, the
/// libcamera-vid fallback.
/// </summary>
public class RpicamSourceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Same picture after MPEG-1 (measured about 1 here); a sheared or padded picture is tens.</summary>
    private const double SamePicture = 4;

    private static string Expected(int width, int height, string flips = "") =>
        $"-t 0 -n --codec yuv420 --width {width} --height {height} --framerate 24 --flush {flips}-o -";

    // 640, 1280 and 1920 are multiples of 64 (no padding); the others are padded to 832, 896 and 1344.
    [TestCase(640, 480, 640)]
    [TestCase(800, 600, 832)]
    [TestCase(854, 480, 896)]
    [TestCase(1280, 720, 1280)]
    [TestCase(1296, 972, 1344)]
    [TestCase(1920, 1080, 1920)]
    public async Task Viewers_get_exactly_the_cameras_picture_at_its_true_size(int width, int height, int cameraStride)
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(width, height), cameraStride, Expected(width, height));
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam", "--width", $"{width}", "--height", $"{height}"], camera.Environment);

        var picture = await ReceiveLastPictureAsync(server, width, height);

        var difference = Pictures.MeanAbsoluteDifference(picture, camera.Picture);
        TestContext.Out.WriteLine($"{width}x{height} (camera rows of {cameraStride} bytes): mean difference {difference:0.00}");
        Assert.That(difference, Is.LessThan(SamePicture), server.StandardError);
    }

    [Test]
    public async Task Flips_are_done_by_the_camera_and_not_again_by_the_encoder()
    {
        // The fake camera checks it was asked to flip, and (being fake) sends the picture unflipped:
        // had the encoder flipped too, viewers would see it turned round.
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(800, 600), 832, Expected(800, 600, "--hflip --vflip "));
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam", "--width", "800", "--height", "600", "--hflip", "--vflip"],
            camera.Environment);

        var picture = await ReceiveLastPictureAsync(server, 800, 600);

        Assert.That(Pictures.MeanAbsoluteDifference(picture, camera.Picture), Is.LessThan(SamePicture), server.StandardError);
    }

    [Test]
    public async Task Stride_option_overrides_the_padding_rule_for_boards_that_differ()
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(1296, 972), 1408, Expected(1296, 972));
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam", "--width", "1296", "--height", "972", "--stride", "1408"],
            camera.Environment);

        var picture = await ReceiveLastPictureAsync(server, 1296, 972);

        Assert.That(Pictures.MeanAbsoluteDifference(picture, camera.Picture), Is.LessThan(SamePicture), server.StandardError);
        Assert.That(server.StandardError, Does.Contain("rows of 1408 bytes"), "the log says which stride is in use");
    }

    [Test]
    public async Task Older_systems_libcamera_vid_is_used_when_rpicam_vid_is_missing()
    {
        using var camera = await FakeRpicam.CreateAsync(new FrameFormat(640, 480), 640, Expected(640, 480), programName: "libcamera-vid");
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--source", "rpicam"], camera.Environment);

        var picture = await ReceiveLastPictureAsync(server, 640, 480);

        Assert.That(Pictures.MeanAbsoluteDifference(picture, camera.Picture), Is.LessThan(SamePicture), server.StandardError);
        Assert.That(server.StandardError, Does.Contain("fake libcamera-vid: streaming"));
    }

    /// <summary>Connects a viewer, checks the header and that the stream decodes at exactly this size, and returns its last picture.</summary>
    private static async Task<byte[]> ReceiveLastPictureAsync(ServerProcess server, int width, int height)
    {
        var (_, wsPort) = await server.WaitUntilListeningAsync(Patience);
        using var viewer = await WebSocketViewer.ConnectAsync(new Uri($"ws://127.0.0.1:{wsPort}/"));
        var messages = await viewer.ReceiveMessagesAsync(1 + 12, Patience);

        Assert.That(messages, Has.Count.EqualTo(13), server.StandardError);
        Assert.That(messages[0], Is.EqualTo(JsmpHeader.Create(new FrameFormat(width, height))));
        Assert.That(EncodedPicture.Parse(messages[1]).Type, Is.EqualTo(PictureType.I));
        var stream = messages.Skip(1).SelectMany(m => m).ToArray();
        var decoded = await FfmpegProbe.DecodeAsync(stream);
        Assert.That((decoded.Width, decoded.Height, decoded.Frames), Is.EqualTo((width, height, VideoMessages.PictureCount(messages.Skip(1)))));
        Assert.That(decoded.Errors, Is.Empty);
        return (await FfmpegProbe.DecodePicturesAsync(stream, width, height))[^1];
    }
}
