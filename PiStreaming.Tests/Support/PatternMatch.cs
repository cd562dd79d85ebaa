using PiStreaming.Sources;

namespace PiStreaming.Tests.Support;

/// <summary>How closely a picture read back from the browser matches the test pattern frame its stamp names.</summary>
internal static class PatternMatch
{
    /// <summary>Mean absolute luma difference between the captured picture and test pattern frame <paramref name="frame"/>.</summary>
    public static double MeanLumaError(CapturedPicture picture, long frame, double producedMs)
    {
        var format = new FrameFormat(picture.Width, picture.Height);
        var expected = new byte[format.FrameSize];
        new TestPatternPainter(format).Paint(expected, frame, (long)producedMs);

        var total = 0.0;
        var index = 0;
        for (var y = picture.Step / 2; y < picture.Height; y += picture.Step)
        {
            for (var x = picture.Step / 2; x < picture.Width; x += picture.Step)
            {
                total += Math.Abs(picture.Luma[index++] - Shown(expected[y * picture.Width + x], picture.Codec));
            }
        }

        Assert.That(index, Is.EqualTo(picture.Luma.Length), "sample grid");
        return total / index;
    }

    // jsmpg.js draws luma as it is; browsers' H.264 decoders expand video range (16-235) to full range (0-255), as is right.
    private static double Shown(byte luma, string codec) => codec == "h264" ? Math.Clamp((luma - 16) * 255.0 / 219, 0, 255) : luma;
}
