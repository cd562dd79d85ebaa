using PiStreaming.Sources;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Unit;

public class FrameStampTests
{
    private static readonly FrameFormat Vga = new(640, 480);

    [Test]
    public void Crc_is_crc8_smbus() =>
        Assert.That(FrameStamp.Crc8("123456789"u8), Is.EqualTo(0xF4));

    [TestCase(0, 0L)]
    [TestCase(1234, 1_795_348_223_242L)]
    [TestCase(70_000, 1_700_000_000_000L)]
    public void Painted_stamp_reads_back_as_frame_and_time_modulo_their_widths(long frame, long time)
    {
        var picture = new byte[Vga.FrameSize];
        new TestPatternPainter(Vga).Paint(picture, frame, time);

        var stamp = FrameStampReader.Read(picture, Vga);

        Assert.That(stamp, Is.EqualTo(new FrameStampReader.Stamp((int)(frame % 65536), (int)(time % (1 << 24)))));
    }

    [Test]
    public void Any_one_block_read_wrong_is_rejected()
    {
        var picture = new byte[Vga.FrameSize];
        new FrameStamp(77, 123_456_789).Paint(picture, Vga);
        var top = FrameStamp.Top(Vga);
        for (var bit = 0; bit < FrameStamp.Bits; bit++)
        {
            var copy = (byte[])picture.Clone();
            var at = (top + bit / 40 * 16 + 8) * Vga.Width + bit % 40 * 16 + 8;
            copy[at] = (byte)(copy[at] > 128 ? FrameStamp.Black : FrameStamp.White);
            Assert.That(FrameStampReader.Read(copy, Vga), Is.Null, $"bit {bit} flipped");
        }
    }

    [TestCase(640, 480, 2, 448)]
    [TestCase(1920, 1080, 1, 1056)]
    [TestCase(1280, 720, 1, 704)]
    [TestCase(320, 240, 3, 192)]
    public void Stamp_sits_on_whole_macroblocks_at_the_bottom(int width, int height, int rows, int top)
    {
        var format = new FrameFormat(width, height);
        Assert.That((FrameStamp.Fits(format), FrameStamp.Rows(format), FrameStamp.Top(format)), Is.EqualTo((true, rows, top)));
    }

    [Test]
    public void Stamp_is_left_out_where_it_would_cover_more_than_half_the_picture()
    {
        var format = new FrameFormat(160, 120);
        var picture = new byte[format.FrameSize];

        new FrameStamp(1, 1).Paint(picture, format);

        Assert.That(FrameStamp.Fits(format), Is.False);
        Assert.That(picture, Is.All.EqualTo(0));
    }

    [Test]
    public void Stamp_area_has_neutral_chroma_so_colour_does_not_tint_it()
    {
        var picture = new byte[Vga.FrameSize];
        new TestPatternPainter(Vga).Paint(picture, 5, 5);
        var chroma = picture.AsSpan(Vga.LumaSize);
        var bandStart = FrameStamp.Top(Vga) / 2 * (Vga.Width / 2);
        var bandLength = FrameStamp.Rows(Vga) * 8 * (Vga.Width / 2);

        Assert.That(chroma.Slice(bandStart, bandLength).ToArray(), Is.All.EqualTo(128), "U");
        Assert.That(chroma.Slice(Vga.ChromaSize + bandStart, bandLength).ToArray(), Is.All.EqualTo(128), "V");
    }
}
