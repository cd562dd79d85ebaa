namespace PiStreaming.Fanout;

/// <summary>
/// What happens to a viewer that cannot take pictures as fast as they are made (a slow network, a
/// stalled or vanished client). Its backlog is bounded, so it never costs more than a little memory,
/// and it never delays the encoder or other viewers.
/// </summary>
internal sealed record SlowViewerPolicy
{
    /// <summary>How much video may wait for one viewer. Beyond it, the viewer skips ahead to the next I picture.</summary>
    public TimeSpan MaxBacklog { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a viewer may stay behind (skipping without once catching up) before it is closed.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Never fewer pictures than this: two of ffmpeg's 12-picture GOPs and one more, so at low frame rates
    /// too a late joiner's whole GOP fits in the join cache (half the backlog) and an I picture always
    /// comes before a skipping viewer's backlog is full again.
    /// </summary>
    public const int MinBacklogPictures = 25;

    /// <summary><see cref="MaxBacklog"/> in pictures at <paramref name="picturesPerSecond"/>, at least <see cref="MinBacklogPictures"/>.</summary>
    public int MaxBacklogPictures(double picturesPerSecond) =>
        Math.Max(MinBacklogPictures, (int)Math.Ceiling(MaxBacklog.TotalSeconds * picturesPerSecond));
}
