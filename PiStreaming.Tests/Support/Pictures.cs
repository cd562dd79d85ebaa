namespace PiStreaming.Tests.Support;

/// <summary>Compares raw I420 pictures.</summary>
internal static class Pictures
{
    /// <summary>Mean absolute difference per byte (luma and chroma): about 0-3 for the same picture after MPEG-1, tens for a different one.</summary>
    public static double MeanAbsoluteDifference(byte[] a, byte[] b)
    {
        Assert.That(a, Has.Length.EqualTo(b.Length), "pictures of different sizes");
        long total = 0;
        for (var i = 0; i < a.Length; i++)
        {
            total += Math.Abs(a[i] - b[i]);
        }

        return (double)total / a.Length;
    }
}
