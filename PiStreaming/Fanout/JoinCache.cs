namespace PiStreaming.Fanout;

/// <summary>
/// The pictures from the most recent join point (an I picture with its sequence header) up to now.
/// A new viewer gets all of them at once, so it shows the current picture immediately instead of
/// waiting up to a GOP for the next I picture (jsmpg.js cannot start anywhere else).
/// </summary>
/// <param name="maxPictures">
/// A GOP longer than this is not replayed: such a viewer waits for the next join point instead of
/// starting with a backlog its queue could not hold.
/// </param>
internal sealed class JoinCache(int maxPictures)
{
    private readonly List<FramedPicture> pictures = [];

    public void Add(FramedPicture picture)
    {
        if (picture.IsJoinPoint)
        {
            pictures.Clear();
            pictures.Add(picture);
        }
        else if (pictures.Count >= maxPictures)
        {
            pictures.Clear();
        }
        else if (pictures.Count > 0)
        {
            pictures.Add(picture);
        }
    }

    /// <summary>Forgets every picture (they no longer fit the stream).</summary>
    public void Clear() => pictures.Clear();

    /// <summary>What a viewer starting now needs, join point first (empty when there is no join point yet).</summary>
    public FramedPicture[] Snapshot() => [.. pictures];
}
