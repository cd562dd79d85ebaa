using Microsoft.Extensions.Logging;

namespace PiStreaming.Pipeline;

/// <summary>
/// An encoder that runs only while someone needs it: the first <see cref="Acquire"/> starts it, and it
/// stops <c>linger</c> after the last lease is disposed (so a viewer reloading the page, or a snapshot
/// every few seconds, does not start a process each time).
/// </summary>
/// <param name="run">runs the encoder until its token fires.</param>
internal sealed class OnDemandEncoder(string name, Func<CancellationToken, Task> run, TimeSpan linger, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly Lock gate = new();
    private int leases;
    private CancellationTokenSource? stopping;
    private Task running = Task.CompletedTask;
    private ITimer? lingering;
    private bool disposed;

    /// <summary>Starts the encoder unless it runs; it keeps running until the returned lease and all others are disposed.</summary>
    public IDisposable Acquire()
    {
        lock (gate)
        {
            leases++;
            lingering?.Dispose();
            lingering = null;
            if (stopping is null && !disposed)
            {
                stopping = new CancellationTokenSource();
                var token = stopping.Token;
                running = Task.Run(() => RunLoggedAsync(token), CancellationToken.None);
                logger.LogInformation("{Name} started", name);
            }
        }

        return new Lease(this);
    }

    public async ValueTask DisposeAsync()
    {
        Task stopped;
        lock (gate)
        {
            disposed = true;
            lingering?.Dispose();
            stopped = StopLocked();
        }

        await stopped;
    }

    private void Release()
    {
        lock (gate)
        {
            if (--leases == 0 && !disposed)
            {
                lingering = time.CreateTimer(_ => StopIfIdle(), null, linger, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void StopIfIdle()
    {
        lock (gate)
        {
            if (leases == 0 && stopping is not null)
            {
                logger.LogInformation("{Name} stopped: nobody has watched for {Seconds:0} s", name, linger.TotalSeconds);
                _ = StopLocked();
            }
        }
    }

    private Task StopLocked()
    {
        stopping?.Cancel();
        stopping?.Dispose();
        stopping = null;
        return running;
    }

    private async Task RunLoggedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await run(cancellationToken);
        }
        catch (Processes.ChildProcessException e)
        {
            logger.LogError("{Name} cannot run: {Reason}", name, e.Message);
        }
        finally
        {
            lock (gate)
            {
                if (stopping?.Token == cancellationToken)
                {
                    stopping.Dispose();
                    stopping = null; // it ended by itself: the next lease starts it again
                }
            }
        }
    }

    private sealed class Lease(OnDemandEncoder owner) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
