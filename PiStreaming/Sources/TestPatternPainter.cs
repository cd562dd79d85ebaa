namespace PiStreaming.Sources;

/// <summary>
/// Draws test pattern frame N: a luma gradient sliding sideways, colour quadrants, a bouncing white
/// square and the frame number in large digits, so that motion and dropped frames are easy to see;
/// and a <see cref="FrameStamp"/> at the bottom, so that machines can see them too.
/// </summary>
internal sealed class TestPatternPainter(FrameFormat format)
{
    private const int DigitScale = 4;

    // 3x5 pixel digits, one row per string, '#' = ink.
    private static readonly string[][] Digits =
    [
        ["###", "# #", "# #", "# #", "###"], ["  #", "  #", "  #", "  #", "  #"],
        ["###", "  #", "###", "#  ", "###"], ["###", "  #", "###", "  #", "###"],
        ["# #", "# #", "###", "  #", "  #"], ["###", "#  ", "###", "  #", "###"],
        ["###", "#  ", "###", "# #", "###"], ["###", "  #", "  #", "  #", "  #"],
        ["###", "# #", "###", "# #", "###"], ["###", "# #", "###", "  #", "###"],
    ];

    /// <param name="producedAtUnixMilliseconds">wall-clock time of production, for the stamp.</param>
    public void Paint(Span<byte> frame, long number, long producedAtUnixMilliseconds)
    {
        var luma = frame[..format.LumaSize];
        PaintGradient(luma, number);
        PaintBouncingSquare(luma, number);
        PaintNumber(luma, number);
        PaintChroma(frame[format.LumaSize..]);
        new FrameStamp(number, producedAtUnixMilliseconds).Paint(frame, format);
    }

    private void PaintGradient(Span<byte> luma, long number)
    {
        var width = format.Width;
        var row = luma[..width];
        var shift = (int)(number * 4 % width);
        for (var x = 0; x < width; x++)
        {
            row[x] = (byte)(40 + (x + shift) % width * 160 / width);
        }

        for (var y = 1; y < format.Height; y++)
        {
            row.CopyTo(luma.Slice(y * width, width));
        }
    }

    private void PaintBouncingSquare(Span<byte> luma, long number)
    {
        var size = Math.Min(format.Width, format.Height) / 6;
        var x = Bounce(number * 5, format.Width - size);
        var y = Bounce(number * 3, format.Height - size);
        FillRectangle(luma, x, y, size, size, 235);
    }

    private void PaintNumber(Span<byte> luma, long number)
    {
        var text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const int digitWidth = 4 * DigitScale;
        var boxWidth = Math.Min(format.Width - 8, text.Length * digitWidth + DigitScale * 2);
        FillRectangle(luma, 8, 8, boxWidth, 7 * DigitScale, 16);
        for (var i = 0; i < text.Length; i++)
        {
            var glyph = Digits[text[i] - '0'];
            for (var gy = 0; gy < glyph.Length; gy++)
            {
                for (var gx = 0; gx < glyph[gy].Length; gx++)
                {
                    if (glyph[gy][gx] == '#')
                    {
                        FillRectangle(luma, 8 + DigitScale * 2 + i * digitWidth + gx * DigitScale, 8 + DigitScale + gy * DigitScale, DigitScale, DigitScale, 235);
                    }
                }
            }
        }
    }

    private void PaintChroma(Span<byte> chroma)
    {
        int width = format.Width / 2, height = format.Height / 2;
        var u = chroma[..format.ChromaSize];
        var v = chroma[format.ChromaSize..];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                u[y * width + x] = (byte)(x < width / 2 ? 96 : 160);
                v[y * width + x] = (byte)(y < height / 2 ? 160 : 96);
            }
        }
    }

    private void FillRectangle(Span<byte> luma, int left, int top, int width, int height, byte value)
    {
        var right = Math.Min(left + width, format.Width);
        var bottom = Math.Min(top + height, format.Height);
        for (var y = Math.Max(top, 0); y < bottom; y++)
        {
            luma.Slice(y * format.Width + left, Math.Max(right - left, 0)).Fill(value);
        }
    }

    // A position that runs 0..range and back again.
    private static int Bounce(long travelled, int range)
    {
        if (range <= 0)
        {
            return 0;
        }

        var position = (int)(travelled % (2 * range));
        return position <= range ? position : 2 * range - position;
    }
}
