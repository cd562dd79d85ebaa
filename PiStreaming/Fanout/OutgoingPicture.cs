namespace PiStreaming.Fanout;

/// <summary>
/// One picture waiting for one viewer: sent as its <see cref="FramedPicture.JoinMessages"/> when the
/// viewer starts with it, as its <see cref="FramedPicture.Message"/> otherwise. Queued and dropped as
/// a whole, so skipping ahead never splits a picture's messages (in low-latency mode a picture sent
/// whole is followed by a separate start code message).
/// </summary>
internal readonly record struct OutgoingPicture(FramedPicture Picture, bool StartsStream)
{
    public IReadOnlyList<ReadOnlyMemory<byte>> Messages => StartsStream ? Picture.JoinMessages : Picture.Messages;
}
