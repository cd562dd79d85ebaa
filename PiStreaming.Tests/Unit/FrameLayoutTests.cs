using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class FrameLayoutTests
{
    [TestCase(640, 640)]
    [TestCase(1280, 1280)]
    [TestCase(1920, 1920)]
    [TestCase(1296, 1344)]
    [TestCase(800, 832)]
    [TestCase(854, 896)]
    [TestCase(16, 64)]
    public void Rpicam_rule_rounds_rows_up_to_64_bytes(int width, int stride) =>
        Assert.That(FrameLayout.WithRowsAlignedTo(new FrameFormat(width, 480), 64).LumaStride, Is.EqualTo(stride));

    [Test]
    public void Stored_frame_is_luma_rows_at_the_stride_then_chroma_rows_at_half_of_it()
    {
        var layout = new FrameLayout(new FrameFormat(1296, 972), 1344);
        Assert.That(layout.ChromaStride, Is.EqualTo(672));
        Assert.That(layout.StoredFrameSize, Is.EqualTo(1344 * 972 + 2 * 672 * 486));
        Assert.That(FrameLayout.Unpadded(new FrameFormat(640, 480)).StoredFrameSize, Is.EqualTo(640 * 480 * 3 / 2));
    }

    [Test]
    public void Removing_padding_keeps_every_pixel_and_drops_every_padding_byte()
    {
        // 6x4 picture in rows of 10 bytes: picture bytes count up from 1, padding bytes are 0xEE.
        var format = new FrameFormat(6, 4);
        var layout = new FrameLayout(format, 10);
        var stored = new List<byte>();
        var expected = new List<byte>();
        byte next = 1;
        foreach (var (width, rows, stride) in new[] { (6, 4, 10), (3, 2, 5), (3, 2, 5) })
        {
            for (var row = 0; row < rows; row++)
            {
                for (var x = 0; x < stride; x++)
                {
                    if (x < width)
                    {
                        stored.Add(next);
                        expected.Add(next++);
                    }
                    else
                    {
                        stored.Add(0xEE);
                    }
                }
            }
        }

        Assert.That(stored, Has.Count.EqualTo(layout.StoredFrameSize));
        var frame = new byte[format.FrameSize];
        layout.RemovePadding(stored.ToArray(), frame);
        Assert.That(frame, Is.EqualTo(expected.ToArray()));
    }

    [TestCase(638)]
    [TestCase(641)]
    public void Stride_below_the_width_or_odd_is_refused(int stride) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FrameLayout(new FrameFormat(640, 480), stride));
}
