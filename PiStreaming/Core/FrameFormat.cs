namespace PiStreaming.Core;

/// <summary>The size of raw I420 (YUV 4:2:0 planar) frames: a full-size Y plane, then quarter-size U and V planes.</summary>
internal readonly record struct FrameFormat(int Width, int Height)
{
    public int LumaSize => Width * Height;
    public int ChromaSize => Width / 2 * (Height / 2);
    public int FrameSize => LumaSize + 2 * ChromaSize;

    public override string ToString() => $"{Width}x{Height}";
}
