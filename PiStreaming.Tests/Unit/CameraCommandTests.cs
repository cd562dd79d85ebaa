using Microsoft.Extensions.Logging.Abstractions;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class CameraCommandTests
{
    private static string Line(IEnumerable<string> arguments) => string.Join(' ', arguments);

    [Test]
    public void Rpicam_writes_raw_yuv420_to_stdout_for_ever_without_preview_flushing_every_frame()
    {
        var command = RpicamCommand.Create(new ServerOptions { Source = "rpicam", Width = 1296, Height = 972, FrameRate = 30 });
        Assert.That(command.Programs, Is.EqualTo(new[] { "rpicam-vid", "libcamera-vid" }));
        Assert.That(Line(command.Arguments), Is.EqualTo("-t 0 -n --codec yuv420 --width 1296 --height 972 --framerate 30 --flush -o -"));
        Assert.That(command.Layout, Is.EqualTo(new FrameLayout(new FrameFormat(1296, 972), 1344)));
    }

    [Test]
    public void Rpicam_flips_in_the_camera_so_the_encoder_does_not_flip_again()
    {
        var options = new ServerOptions { Source = "rpicam", FrameRate = 29.97, HorizontalFlip = true, VerticalFlip = true };
        var command = RpicamCommand.Create(options);
        Assert.That(Line(command.Arguments), Is.EqualTo("-t 0 -n --codec yuv420 --width 640 --height 480 --framerate 29.97 --flush --hflip --vflip -o -"));

        var source = FrameSourceFactory.Create(options, NullLoggerFactory.Instance);
        var encoder = EncoderSettings.From(options, "ffmpeg", source.FlipsFrames);
        Assert.That((encoder.HorizontalFlip, encoder.VerticalFlip), Is.EqualTo((false, false)));
    }

    [Test]
    public void Rpicam_stride_option_overrides_the_64_byte_rule() =>
        Assert.That(RpicamCommand.Create(new ServerOptions { Width = 1296, Height = 972, Stride = 1312 }).Layout.LumaStride, Is.EqualTo(1312));

    [Test]
    public void Webcam_is_read_by_ffmpeg_v4l2_and_converted_to_i420_of_the_configured_size_and_rate()
    {
        var arguments = FfmpegDecoderCommand.WebcamArguments("/dev/video2", new FrameFormat(854, 480), 30);
        Assert.That(Line(arguments), Is.EqualTo(
            "-hide_banner -nostats -nostdin -loglevel warning -f v4l2 -framerate 30 -video_size 854x480 -i /dev/video2 "
            + "-map 0:v:0 -vf scale=854:480 -pix_fmt yuv420p -r 30 -f rawvideo -flush_packets 1 pipe:1"));
    }

    [Test]
    public void Webcam_source_uses_the_servers_ffmpeg_and_leaves_flips_to_the_encoder()
    {
        var options = new ServerOptions { Source = "v4l2", HorizontalFlip = true };
        var command = FfmpegDecoderCommand.ForWebcam(options, "/dev/video0", "/opt/ffmpeg/bin/ffmpeg");
        Assert.That(command.Programs, Is.EqualTo(new[] { "/opt/ffmpeg/bin/ffmpeg" }));
        Assert.That(command.Arguments, Does.Contain("/dev/video0"));
        Assert.That(command.Layout.HasPadding, Is.False);

        var source = FrameSourceFactory.Create(options, NullLoggerFactory.Instance, "/opt/ffmpeg/bin/ffmpeg");
        Assert.That(EncoderSettings.From(options, "ffmpeg", source.FlipsFrames).HorizontalFlip, Is.True);
    }

    [Test]
    public void Webcams_own_h264_is_copied_by_ffmpeg_as_annex_b_without_decoding()
    {
        var options = new ServerOptions { Source = "v4l2:/dev/video2", Codec = VideoCodecs.H264, Width = 1280, Height = 720, FrameRate = 30 };
        var command = FfmpegDecoderCommand.ForWebcamH264(options, "/dev/video2", "/opt/ffmpeg/bin/ffmpeg");
        Assert.That(command.Programs, Is.EqualTo(new[] { "/opt/ffmpeg/bin/ffmpeg" }));
        Assert.That(Line(command.Arguments), Is.EqualTo(
            "-hide_banner -nostats -nostdin -loglevel warning -f v4l2 -input_format h264 -framerate 30 -video_size 1280x720 -i /dev/video2 "
            + "-map 0:v:0 -c:v copy -f h264 -flush_packets 1 pipe:1"));
        Assert.That(command.DeliversH264, Is.True);

        var passedThrough = FrameSourceFactory.Create(options, NullLoggerFactory.Instance, "ffmpeg", new WebcamInput(true, null));
        var raw = FrameSourceFactory.Create(options, NullLoggerFactory.Instance, "ffmpeg", new WebcamInput(false, null));
        Assert.That((passedThrough.DeliversH264, raw.DeliversH264), Is.EqualTo((true, false)));
    }

    [Test]
    public void File_is_played_at_its_own_speed_and_looped()
    {
        var arguments = FfmpegDecoderCommand.FileArguments("/srv/clip one.mp4", new FrameFormat(640, 480), 24);
        Assert.That(arguments, Is.EqualTo(new[]
        {
            "-hide_banner", "-nostats", "-nostdin", "-loglevel", "warning", "-re", "-stream_loop", "-1", "-i", "/srv/clip one.mp4",
            "-map", "0:v:0", "-vf", "scale=640:480", "-pix_fmt", "yuv420p", "-r", "24", "-f", "rawvideo", "-flush_packets", "1", "pipe:1",
        }));
    }
}
