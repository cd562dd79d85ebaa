using Microsoft.Extensions.Logging;
using PiStreaming.Fanout;
using PiStreaming.Processes;

namespace PiStreaming.Relay;

/// <summary>
/// One of the origin's streams (MPEG-1 or H.264) passed on to its <see cref="Broadcaster"/> exactly as a local
/// encoder's pictures would be, nothing decoded. When the origin goes away this stream reconnects on its own
/// with a <see cref="RetryBackoff"/> while its viewers stay connected; they get pictures again when the origin
/// is back. An origin that comes back with another picture size makes this stream's viewers reconnect for the
/// new size (<see cref="Broadcaster.ChangeFormat"/>).
/// </summary>
/// <param name="first">the connection made at start.</param>
internal sealed class RelayedStream(OriginStream first, Broadcaster broadcaster, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    // The page's MPEG-1 decoder has a picture size limit; H.264's decoders have none worth checking.
    private readonly JsmpgPictureLimit? pictureLimit = first.Codec == OriginCodec.Mpeg1 ? new JsmpgPictureLimit(logger) : null;
    private long lastPictureAt;
    private long reconnects;

    public Broadcaster Broadcaster => broadcaster;

    /// <summary>When the latest picture arrived, as a <see cref="TimeProvider"/> timestamp; 0 before the first.</summary>
    public long LastPictureAt => Interlocked.Read(ref lastPictureAt);

    /// <summary>How often this stream has reconnected to its origin.</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>Relays until <paramref name="cancellationToken"/> fires; the origin's failures are retried, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(time);
        var origin = first;
        try
        {
            while (true)
            {
                var failure = await RelayAsync(origin, backoff, cancellationToken);
                await origin.DisposeAsync();
                if (await ReconnectAsync(origin.Address, failure, backoff, cancellationToken) is not { } next)
                {
                    return;
                }

                origin = next;
                Interlocked.Increment(ref reconnects);
                logger.LogInformation("reconnected to the origin's {Codec} stream {Origin}", origin.Codec.Name(), origin.Name);
                if (origin.Format != broadcaster.Format)
                {
                    logger.LogWarning("the origin's {Codec} pictures are {New} now, not {Old}: their viewers reconnect for the new size", origin.Codec.Name(),
                        origin.Format, broadcaster.Format);
                    broadcaster.ChangeFormat(origin.Format);
                }
            }
        }
        finally
        {
            await origin.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => first.DisposeAsync(); // in case it never ran

    /// <returns>why the origin's stream ended (null: stopped).</returns>
    private async Task<string?> RelayAsync(OriginStream origin, RetryBackoff backoff, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var picture in origin.ReadPicturesAsync(cancellationToken))
            {
                backoff.Working();
                // A relay's pictures are as old as their arrival here: the age its viewers' pictures reach is the relay's own share.
                var arrived = time.GetTimestamp();
                Interlocked.Exchange(ref lastPictureAt, arrived);
                pictureLimit?.Check(picture);
                broadcaster.Publish(picture with { FrameReadAt = arrived });
            }

            return "it ended the stream";
        }
        catch (OriginUnavailableException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <returns>the new connection, or null when stopped.</returns>
    private async Task<OriginStream?> ReconnectAsync(Uri address, string? failure, RetryBackoff backoff, CancellationToken cancellationToken)
    {
        while (failure is not null)
        {
            var reason = failure;
            if (!await backoff.WaitAfterFailureAsync(
                    delay => logger.LogWarning("lost the origin's {Codec} stream: {Reason}; reconnecting in {Seconds} s (viewers stay connected)",
                        first.Codec.Name(), reason, delay.TotalSeconds),
                    cancellationToken))
            {
                return null;
            }

            try
            {
                return await OriginStream.ConnectAsync(address, first.Codec, cancellationToken);
            }
            catch (OriginUnavailableException e)
            {
                failure = e.Message;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        return null;
    }
}
