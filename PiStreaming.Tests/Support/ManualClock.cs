namespace PiStreaming.Tests.Support;

/// <summary>A clock that moves only when told to, for the time rules of the slow-viewer policy.</summary>
public sealed class ManualClock : TimeProvider
{
    private long ticks = TimeSpan.TicksPerDay;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
