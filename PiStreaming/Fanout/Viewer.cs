namespace PiStreaming.Fanout;

/// <summary>Why the server wants a viewer gone.</summary>
internal enum ViewerCloseReason
{
    /// <summary>It stayed behind the stream for too long (see <see cref="SlowViewerPolicy"/>).</summary>
    TooSlow,

    /// <summary>The server is stopping.</summary>
    ShuttingDown,

    /// <summary>The stream's picture size changed (a relay's origin restarted with another size): come back for the new one.</summary>
    StreamChanged,
}

/// <summary>
/// One client watching one output, whatever carries the pictures to it (a WebSocket, an HTTP response).
/// The fan-out asks it to close through <see cref="RequestClose"/>; whoever serves it ends its
/// connection accordingly and completes <see cref="Finished"/>.
/// </summary>
internal sealed class Viewer(int id, string remoteAddress, string output, long connectedAt)
{
    private readonly TaskCompletionSource<ViewerCloseReason> closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private ViewerCloseReason? closeReason;
    private Action<ViewerCloseReason>? onCloseRequested;

    public int Id => id;
    public string RemoteAddress => remoteAddress;

    /// <summary>What it watches, for the log: "video", "stream.mpg", "stream.mjpg".</summary>
    public string Output => output;

    /// <summary>When it joined, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long ConnectedAt => connectedAt;

    /// <summary>Pictures it did not get because it was behind (set when it leaves).</summary>
    public long SkippedPictures { get; set; }

    /// <summary>Completes when the server wants the viewer gone, with why.</summary>
    public Task<ViewerCloseReason> Closing => closing.Task;

    /// <summary>Completes when its connection has ended.</summary>
    public Task Finished => finished.Task;

    /// <summary>Asks whoever serves the viewer to close it (the first reason given wins).</summary>
    public void RequestClose(ViewerCloseReason reason)
    {
        Action<ViewerCloseReason>? handler;
        lock (gate)
        {
            if (closeReason is not null)
            {
                return;
            }

            closeReason = reason;
            handler = onCloseRequested;
        }

        handler?.Invoke(reason);
        closing.TrySetResult(reason);
    }

    /// <summary>
    /// Whoever serves the viewer says how it closes it: <paramref name="handler"/> runs on the thread that
    /// asks, before <see cref="Closing"/> completes (at once if a close was asked for already).
    /// </summary>
    public void OnCloseRequested(Action<ViewerCloseReason> handler)
    {
        ViewerCloseReason? already;
        lock (gate)
        {
            onCloseRequested = handler;
            already = closeReason;
        }

        if (already is { } reason)
        {
            handler(reason);
        }
    }

    public void MarkFinished() => finished.TrySetResult();

    public override string ToString() => $"viewer {id} ({output}, {remoteAddress})";
}
