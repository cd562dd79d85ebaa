using System.Diagnostics.Metrics;

namespace PiStreaming.Metrics;

/// <summary>
/// What one output (the video WebSocket, the media players' stream, MJPEG) has done: viewers now,
/// pictures and bytes sent, and how old each picture was when it went out. Counting a send is a few
/// interlocked additions and one histogram record: nothing is allocated.
/// </summary>
internal sealed class OutputCounters
{
    private readonly Histogram<double> pictureAge;
    private readonly KeyValuePair<string, object?> outputTag;
    private readonly TimeProvider time;
    private long viewers;
    private long picturesSent;
    private long bytesSent;
    private long timedPictures;
    private long ageTicks;

    public OutputCounters(string name, Histogram<double> pictureAge, TimeProvider time)
    {
        Name = name;
        this.pictureAge = pictureAge;
        this.time = time;
        outputTag = new KeyValuePair<string, object?>(ServerMetrics.OutputTag, name);
    }

    /// <summary>The output's name in metrics and status: "video", "stream.mpg", "stream.mjpg".</summary>
    public string Name { get; }

    public KeyValuePair<string, object?> Tag => outputTag;

    public int Viewers => (int)Interlocked.Read(ref viewers);
    public long PicturesSent => Interlocked.Read(ref picturesSent);
    public long BytesSent => Interlocked.Read(ref bytesSent);

    /// <summary>Pictures whose age was measured (those whose camera frame's arrival is known).</summary>
    public long TimedPictures => Interlocked.Read(ref timedPictures);

    /// <summary>The ages of the <see cref="TimedPictures"/> added up.</summary>
    public TimeSpan TotalPictureAge => TimeSpan.FromTicks(Interlocked.Read(ref ageTicks));

    public void Joined() => Interlocked.Increment(ref viewers);

    public void Left() => Interlocked.Decrement(ref viewers);

    /// <summary>One picture of <paramref name="bytes"/> went out to one viewer.</summary>
    /// <param name="frameReadAt">when the server had read its camera frame (a <see cref="TimeProvider"/> timestamp); 0 when unknown.</param>
    public void Sent(int bytes, long frameReadAt)
    {
        Interlocked.Increment(ref picturesSent);
        Interlocked.Add(ref bytesSent, bytes);
        if (frameReadAt == 0)
        {
            return;
        }

        var age = time.GetElapsedTime(frameReadAt);
        Interlocked.Increment(ref timedPictures);
        Interlocked.Add(ref ageTicks, age.Ticks);
        pictureAge.Record(age.TotalSeconds, outputTag);
    }
}
