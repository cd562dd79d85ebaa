using PiStreaming.Metrics;

namespace PiStreaming.Fanout;

/// <summary>Why a viewer was not let in.</summary>
internal enum ViewerRefusal
{
    /// <summary>--max-viewers are watching already: try again later.</summary>
    Full,

    /// <summary>The server is stopping.</summary>
    ShuttingDown,
}

/// <summary>
/// Everyone watching, on every output: one --max-viewers limit for all of them, viewer numbers, the
/// activity log, the viewer counts per output, and closing them all when the server stops.
/// </summary>
internal sealed class Audience(int maxViewers, ViewerActivityLog activity, ServerMetrics metrics, TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly HashSet<Viewer> viewers = [];
    private int nextId;
    private bool closing;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return viewers.Count;
            }
        }
    }

    /// <summary>Lets a viewer in, or says why not (and logs the refusal).</summary>
    public Viewer? TryAdmit(string output, string remoteAddress, out ViewerRefusal refusal)
    {
        Viewer viewer;
        int watching;
        lock (gate)
        {
            refusal = closing ? ViewerRefusal.ShuttingDown : ViewerRefusal.Full;
            if (closing || viewers.Count >= maxViewers)
            {
                viewer = null!;
                watching = -1;
            }
            else
            {
                viewer = new Viewer(++nextId, remoteAddress, output, time.GetTimestamp());
                viewers.Add(viewer);
                watching = viewers.Count;
            }
        }

        if (watching < 0)
        {
            activity.Refused(remoteAddress, output, Describe(refusal));
            return null;
        }

        metrics.Output(output).Joined();
        activity.Joined(viewer, watching);
        return viewer;
    }

    /// <summary>A viewer that could not keep up is being closed (for the log and the metrics).</summary>
    public void GaveUp(Viewer viewer)
    {
        metrics.ViewerClosedTooSlow();
        activity.GaveUp(viewer);
    }

    /// <summary>The viewer's connection has ended.</summary>
    public void Leave(Viewer viewer)
    {
        int watching;
        lock (gate)
        {
            viewers.Remove(viewer);
            watching = viewers.Count;
        }

        metrics.Output(viewer.Output).Left();
        viewer.MarkFinished();
        activity.Left(viewer, watching);
    }

    /// <summary>
    /// Refuses new viewers from now on, asks every viewer to close, and waits up to <paramref name="timeout"/>
    /// for their connections to end (each aborts its own after its close timeout).
    /// </summary>
    public async Task CloseAllAsync(TimeSpan timeout)
    {
        Viewer[] closingViewers;
        lock (gate)
        {
            closing = true;
            closingViewers = [.. viewers];
        }

        foreach (var viewer in closingViewers)
        {
            viewer.RequestClose(ViewerCloseReason.ShuttingDown);
        }

        try
        {
            await Task.WhenAll(closingViewers.Select(v => v.Finished)).WaitAsync(timeout, time);
        }
        catch (TimeoutException)
        {
        }
    }

    public string Describe(ViewerRefusal refusal) => refusal switch
    {
        ViewerRefusal.Full => $"server full ({maxViewers} viewers), try again later",
        _ => "server shutting down",
    };
}
