namespace PiStreaming.Sources;

/// <summary>
/// How a camera lays one raw I420 frame out in memory. Some cameras pad every row up to a stride:
/// the luma plane is <c>Height</c> rows of <see cref="LumaStride"/> bytes, then each chroma plane is
/// <c>Height / 2</c> rows of <see cref="ChromaStride"/> bytes (half the luma stride), with no padding
/// rows below the picture. That is what rpicam-vid writes. The padding is cut off before encoding,
/// so the encoder and the jsmp header see the true picture size.
/// </summary>
internal sealed record FrameLayout
{
    /// <summary>Pi 4 and older round each luma row up to a multiple of this many bytes.</summary>
    public const int RpicamRowAlignment = 64;

    public FrameLayout(FrameFormat format, int lumaStride)
    {
        if (lumaStride < format.Width || lumaStride % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lumaStride), lumaStride, $"the stride must be even and at least the width ({format.Width})");
        }

        Format = format;
        LumaStride = lumaStride;
    }

    public FrameFormat Format { get; }
    public int LumaStride { get; }
    public int ChromaStride => LumaStride / 2;
    public bool HasPadding => LumaStride != Format.Width;

    /// <summary>Bytes of one frame as the camera writes it, padding included.</summary>
    public int StoredFrameSize => LumaStride * Format.Height + 2 * ChromaStride * (Format.Height / 2);

    /// <summary>Frames exactly as large as the picture.</summary>
    public static FrameLayout Unpadded(FrameFormat format) => new(format, format.Width);

    /// <summary>Rows rounded up to a multiple of <paramref name="alignment"/> bytes, e.g. 1296 -> 1344 for 64.</summary>
    public static FrameLayout WithRowsAlignedTo(FrameFormat format, int alignment) =>
        new(format, (format.Width + alignment - 1) / alignment * alignment);

    /// <summary>Copies the picture out of a stored frame, leaving the row padding behind.</summary>
    public void RemovePadding(ReadOnlySpan<byte> stored, Span<byte> frame)
    {
        var width = Format.Width;
        var height = Format.Height;
        CopyRows(stored, LumaStride, frame, width, height);

        var storedChroma = stored[(LumaStride * height)..];
        var frameChroma = frame[Format.LumaSize..];
        var storedPlane = ChromaStride * (height / 2);
        CopyRows(storedChroma, ChromaStride, frameChroma, width / 2, height / 2);
        CopyRows(storedChroma[storedPlane..], ChromaStride, frameChroma[Format.ChromaSize..], width / 2, height / 2);
    }

    public override string ToString() =>
        HasPadding ? $"{Format} in rows of {LumaStride} bytes (chroma {ChromaStride})" : $"{Format} without row padding";

    private static void CopyRows(ReadOnlySpan<byte> source, int sourceStride, Span<byte> destination, int width, int rows)
    {
        for (var row = 0; row < rows; row++)
        {
            source.Slice(row * sourceStride, width).CopyTo(destination.Slice(row * width, width));
        }
    }
}
