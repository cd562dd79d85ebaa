using PiStreaming.Encoding;
using PiStreaming.Options;

namespace PiStreaming.Fanout;

/// <summary>
/// An encoded picture cut into the WebSocket messages viewers get, made once and shared by all.
/// <para>
/// jsmpg.js decodes a picture only when it sees the start code of the NEXT picture, and handles at
/// most one picture start code per message. In <see cref="LatencyMode.Low"/> every message is
/// therefore "this picture without its start code, then the next picture's start code": the same
/// bytes as the encoder wrote, only cut 4 bytes later, so jsmpg.js decodes each picture the moment it
/// arrives. The sequence and GOP headers that ffmpeg repeats before I pictures are left out after a
/// viewer's first picture (the start code already went out, and one header is all MPEG-1 needs).
/// A viewer's first picture goes out whole, followed by a message holding just the start code.
/// </para>
/// </summary>
internal sealed class FramedPicture
{
    private static readonly byte[] PictureStartCode = [0x00, 0x00, 0x01, 0x00];
    private static readonly ReadOnlyMemory<byte> StartCodeMessage = PictureStartCode;

    private FramedPicture(EncodedPicture picture, ReadOnlyMemory<byte>[] joinMessages, ReadOnlyMemory<byte> message)
    {
        Picture = picture;
        JoinMessages = joinMessages;
        Message = message;
        Messages = [message];
    }

    public EncodedPicture Picture { get; }

    /// <summary>Can a viewer start watching here? See <see cref="EncodedPicture.IsJoinPoint"/>.</summary>
    public bool IsJoinPoint => Picture.IsJoinPoint;

    /// <summary>What a viewer starting at this picture gets (empty unless <see cref="IsJoinPoint"/>).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> JoinMessages { get; }

    /// <summary>What a viewer already watching gets.</summary>
    public ReadOnlyMemory<byte> Message { get; }

    /// <summary><see cref="Message"/> as a list (made once, shared by all viewers).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Messages { get; }

    /// <summary>One message per picture, the same for every viewer (H.264: one access unit per message).</summary>
    public static FramedPicture Whole(EncodedPicture picture) => new(picture, picture.IsJoinPoint ? [picture.Data] : [], picture.Data);

    public static FramedPicture Create(EncodedPicture picture, LatencyMode mode)
    {
        if (mode == LatencyMode.Classic)
        {
            return Whole(picture);
        }

        var data = picture.Data.Span;
        var start = data.IndexOf(PictureStartCode);
        if (start < 0)
        {
            // Not a picture (cannot happen with ffmpeg's output): pass it on untouched.
            return new FramedPicture(picture, [], picture.Data);
        }

        var body = picture.Data[(start + PictureStartCode.Length)..];
        var message = new byte[body.Length + PictureStartCode.Length];
        body.CopyTo(message);
        PictureStartCode.CopyTo(message, body.Length);
        return new FramedPicture(picture, picture.IsJoinPoint ? [picture.Data, StartCodeMessage] : [], message);
    }
}
