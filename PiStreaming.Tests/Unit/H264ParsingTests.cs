using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;
using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

/// <summary>H.264 as the server reads it: access units cut from a camera's byte stream, IDR pictures, SPS and PPS.</summary>
public class H264ParsingTests
{
    private static byte[] stream = [];

    // 30 pictures of 320x240 from libx264 with the server's own H.264 arguments (IDR every 12, AUD, headers repeated).
    [OneTimeSetUp]
    public static async Task Encode()
    {
        var settings = new EncoderSettings(new FrameFormat(320, 240), Mpeg1FrameRate.For(24), 800);
        var arguments = H264Arguments.For(settings, new H264Settings(H264EncoderKind.Libx264, 400, 12, 24)).ToList();
        // Same encoder settings, raw annex B out instead of the multipart packets, testsrc in instead of stdin.
        var encoder = arguments.SkipWhile(a => a != "-c:v").TakeWhile(a => a != "-fps_mode").ToArray();
        stream = await FfmpegProbe.GenerateAsync([.. new[] { "-f", "lavfi", "-i", "testsrc=size=320x240:rate=24", "-frames:v", "30", "-pix_fmt", "yuv420p" },
            .. encoder, "-f", "h264"]);
    }

    [TestCase(1_000_000)]
    [TestCase(7)]
    [TestCase(1)]
    public async Task The_reader_cuts_a_camera_stream_into_one_access_unit_per_picture_however_it_arrives(int bytesPerRead)
    {
        var reader = new AccessUnitReader(new TrickleStream(stream, bytesPerRead));
        var units = new List<byte[]>();
        while (await reader.ReadAsync(CancellationToken.None) is { } unit)
        {
            units.Add(unit.ToArray());
        }

        // The last picture cannot be known to be whole (no picture follows it): it is the torn rest.
        Assert.That(units, Has.Count.EqualTo(29));
        Assert.That(reader.TornFrameBytes, Is.GreaterThan(0));
        Assert.That(units.SelectMany(u => u).Concat(stream.TakeLast(reader.TornFrameBytes)), Is.EqualTo(stream), "nothing lost or added");
        var pictures = units.Select(u => H264AccessUnit.Parse(u)).ToList();
        Assert.That(pictures.Select(p => p.Type), Is.EqualTo(Enumerable.Range(0, 29).Select(i => i % 12 == 0 ? PictureType.I : PictureType.P)));
        Assert.That(pictures.Where(p => p.Type == PictureType.I), Is.All.Matches<EncodedPicture>(p => p.IsJoinPoint), "every IDR picture carries SPS and PPS");
        Assert.That(units.Select(u => H264AccessUnit.NalTypes(u)[0]), Is.All.EqualTo(H264AccessUnit.AccessUnitDelimiter), "each starts at its delimiter");
    }

    [Test]
    public void A_stream_that_is_not_H264_is_refused_instead_of_buffered_for_ever()
    {
        var reader = new AccessUnitReader(new MemoryStream(new byte[AccessUnitReader.MaxUnitBytes + 1024 * 1024]));
        Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync(CancellationToken.None));
    }

    [Test]
    public async Task An_IDR_picture_without_SPS_and_PPS_gets_the_latest_ones_after_its_delimiter()
    {
        var reader = new AccessUnitReader(new MemoryStream(stream));
        var idr = (await reader.ReadAsync(CancellationToken.None))!.Value.ToArray();
        var nals = H264AccessUnit.NalUnits(idr);
        Assert.That(H264AccessUnit.NalTypes(idr).Take(3), Is.EqualTo(new[] { 9, 7, 8 }));
        // The same picture as an encoder that writes SPS and PPS once would send it the second time: AUD, then the slices.
        static int StartCodeAt(byte[] data, int nal) => data[nal - 4] == 0 ? nal - 4 : nal - 3;
        byte[] bare = [.. idr.AsSpan(0, StartCodeAt(idr, nals[1].Start)), .. idr.AsSpan(StartCodeAt(idr, nals[3].Start))];
        var parameterSets = new H264ParameterSets();

        var first = parameterSets.Complete(H264AccessUnit.Parse(idr));
        var completed = parameterSets.Complete(H264AccessUnit.Parse(bare));

        Assert.That(first.Data.ToArray(), Is.EqualTo(idr), "a picture with its own SPS and PPS passes unchanged");
        Assert.That(H264AccessUnit.Parse(bare).IsJoinPoint, Is.False);
        Assert.That(completed.IsJoinPoint, Is.True);
        Assert.That(completed.Data.ToArray(), Is.EqualTo(idr), "AUD, SPS, PPS, slices: as the encoder wrote it the first time");
    }

    [Test]
    public void The_H264_header_names_the_stream_and_its_size()
    {
        Assert.That(H264Header.Create(new FrameFormat(640, 480)), Is.EqualTo(new byte[] { 0x68, 0x32, 0x36, 0x34, 0x02, 0x80, 0x01, 0xe0 }));
    }

    [Test]
    public void Codec_and_H264_bitrate_are_read_from_the_command_line_and_checked()
    {
        Assert.That(ServerCommandLine.ToOptions(ServerCommandLine.Create().Parse([])).Codec, Is.EqualTo(VideoCodecs.Both));
        var options = ServerCommandLine.ToOptions(ServerCommandLine.Create().Parse(["--codec", "h264", "--h264-bitrate", "1500"]));
        Assert.That((options.Codec, options.H264BitrateKbps), Is.EqualTo((VideoCodecs.H264, 1500)));
        Assert.That(ServerCommandLine.ToOptions(ServerCommandLine.Create().Parse(["--codec", "mpeg1"])).Codec, Is.EqualTo(VideoCodecs.Mpeg1));
        Assert.That(ServerCommandLine.Create().Parse(["--codec", "vp8"]).Errors, Is.Not.Empty);
        Assert.That(ServerCommandLine.Create().Parse(["--h264-bitrate", "10"]).Errors.Select(e => e.Message),
            Has.Some.Contains("--h264-bitrate must be a number of kbit/s from 50 to 20000"));
    }

    [Test]
    public void The_camera_is_asked_for_H264_only_when_H264_is_all_that_is_wanted()
    {
        var options = new ServerOptions { Source = "rpicam", Codec = VideoCodecs.H264, FrameRate = 30, H264BitrateKbps = 1000 };
        var camera = RpicamCommand.Create(options, options.H264(H264EncoderKind.V4l2m2m));
        Assert.That(string.Join(' ', camera.Arguments), Is.EqualTo(
            "-t 0 -n --codec h264 --inline --flush --profile baseline --intra 30 --bitrate 1000000 --width 640 --height 480 --framerate 30 -o -"));
        Assert.That(camera.DeliversH264, Is.True);
        Assert.That(RpicamCommand.Create(options with { Codec = VideoCodecs.Both }).DeliversH264, Is.False);
    }

    [Test]
    public void The_page_may_connect_to_both_streams_and_play_video_from_blob_urls_when_H264_is_offered()
    {
        var look = new PageLook("#444", "#333");
        var both = new IndexPage("<p>@CODECS@</p>", look, [], mpeg1: true, h264: true).Render("cam:8082", null, 0, new FrameFormat(640, 480));
        var mpeg1 = new IndexPage("<p>@CODECS@</p>", look, []).Render("cam:8082", null, 0, new FrameFormat(640, 480));

        Assert.That(both.Html, Is.EqualTo("<p>mpeg1 h264</p>"));
        Assert.That(both.ContentSecurityPolicy, Does.Contain("connect-src 'self' ws://cam:8082/video wss://cam:8082/video ws://cam:8082/video.h264 wss://cam:8082/video.h264;").And.Contain("media-src blob:"));
        Assert.That(mpeg1.Html, Is.EqualTo("<p>mpeg1</p>"));
        Assert.That(mpeg1.ContentSecurityPolicy, Does.Contain("connect-src 'self' ws://cam:8082/video wss://cam:8082/video;").And.Not.Contain("media-src"));
    }

    /// <summary>A stream that hands out at most a few bytes per read, like a pipe under load.</summary>
    private sealed class TrickleStream(byte[] data, int bytesPerRead) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
    }
}
