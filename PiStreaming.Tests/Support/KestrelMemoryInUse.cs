using System.Diagnostics.Metrics;

namespace PiStreaming.Tests.Support;

/// <summary>
/// The bytes of Kestrel's pinned memory pool that connections hold now (its pipes' buffers), read from the
/// pool's own instruments (meter Microsoft.AspNetCore.MemoryPool) of every Kestrel server in this process:
/// allocated, less evicted, less what waits in the pool.
/// </summary>
internal sealed class KestrelMemoryInUse : IDisposable
{
    private const string MeterName = "Microsoft.AspNetCore.MemoryPool";

    private readonly MeterListener listener = new();
    private long allocated, evicted, pooled;

    public KestrelMemoryInUse()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is "aspnetcore.memory_pool.allocated" or "aspnetcore.memory_pool.evicted"
                    or "aspnetcore.memory_pool.pooled")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "aspnetcore.memory_pool.allocated":
                    Interlocked.Add(ref allocated, value);
                    break;
                case "aspnetcore.memory_pool.evicted":
                    Interlocked.Add(ref evicted, value);
                    break;
                default:
                    Interlocked.Add(ref pooled, value);
                    break;
            }
        });
        listener.Start();
    }

    /// <summary>Bytes rented from the pool and not yet given back.</summary>
    public long Bytes => Interlocked.Read(ref allocated) - Interlocked.Read(ref evicted) - Interlocked.Read(ref pooled);

    public void Dispose() => listener.Dispose();
}
