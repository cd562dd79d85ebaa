using Microsoft.Extensions.Logging;
using PiStreaming.Processes;

namespace PiStreaming.Relay;

/// <summary>
/// What a relay finds at its origin when it starts: a connection to each stream the origin offers (MPEG-1,
/// H.264 or both; a stream it answers 404 for is not offered), each read up to its first join point. The relay
/// then passes on exactly those streams.
/// </summary>
internal sealed class RelayOrigin : IAsyncDisposable
{
    /// <summary>The rate assumed for an origin that offers only H.264 and states no rate in its SPS (libx264 states it).</summary>
    public const double AssumedFrameRate = 30;

    private RelayOrigin(Uri address, OriginStream? mpeg1, OriginStream? h264)
    {
        Address = address;
        Mpeg1 = mpeg1;
        H264 = h264;
    }

    /// <summary>The address given with relay:URL.</summary>
    public Uri Address { get; }

    /// <summary>The address for the log: without user, password or query.</summary>
    public string Name => OriginStream.Redact(Address);

    public OriginStream? Mpeg1 { get; }

    public OriginStream? H264 { get; }

    /// <summary>The pictures' size (the origin encodes both streams at its one size).</summary>
    public FrameFormat Format => (Mpeg1 ?? H264)!.Format;

    /// <summary>The origin's frame rate: the one its H.264 stream states (the camera's), else MPEG-1's coded rate (10 fps is coded as 24).</summary>
    public double FrameRate => H264?.FrameRate ?? Mpeg1?.FrameRate ?? AssumedFrameRate;

    /// <summary>The streams relayed, for the log ("MPEG-1 and H.264").</summary>
    public string Describe() => string.Join(" and ", new[] { Mpeg1, H264 }.OfType<OriginStream>().Select(s => s.Codec.Name()));

    /// <summary>Connects to every stream the origin offers, at once.</summary>
    /// <exception cref="OriginUnavailableException">a stream the origin offers cannot be read, or it offers none at the address.</exception>
    public static async Task<RelayOrigin> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        var (mpeg1Address, h264Address) = OriginCodecExtensions.Addresses(address);
        var mpeg1 = ConnectIfOfferedAsync(mpeg1Address, OriginCodec.Mpeg1, cancellationToken);
        var h264 = h264Address is null ? Task.FromResult<OriginStream?>(null) : ConnectIfOfferedAsync(h264Address, OriginCodec.H264, cancellationToken);
        try
        {
            await Task.WhenAll(mpeg1, h264);
        }
        catch
        {
            foreach (var connecting in new[] { mpeg1, h264 }.Where(t => t.IsCompletedSuccessfully))
            {
                if (await connecting is { } connected)
                {
                    await connected.DisposeAsync();
                }
            }

            throw;
        }

        var origin = new RelayOrigin(address, await mpeg1, await h264);
        return origin.Mpeg1 is null && origin.H264 is null
            ? throw new OriginUnavailableException($"{origin.Name} answered 404: no PiStreaming video there (use ws://HOST:8082/video)")
            : origin;
    }

    /// <summary>
    /// Connects as <see cref="ConnectAsync"/> does, trying again with a <see cref="RetryBackoff"/> (one log line per
    /// failure) for as long as it takes: an origin that is not up yet is waited for, as a camera is.
    /// </summary>
    /// <returns>the connections, or null when <paramref name="stop"/> completed first.</returns>
    public static async Task<RelayOrigin?> ReachAsync(Uri address, TimeProvider time, ILogger logger, Task stop)
    {
        using var stopping = new CancellationTokenSource();
        _ = stop.ContinueWith(_ =>
        {
            try
            {
                stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Reached the origin long before the stop.
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var backoff = new RetryBackoff(time);
        while (true)
        {
            try
            {
                return await ConnectAsync(address, stopping.Token);
            }
            catch (OriginUnavailableException e)
            {
                if (!await backoff.WaitAfterFailureAsync(
                        delay => logger.LogWarning("cannot relay yet: {Reason}; trying again in {Seconds} s", e.Message, delay.TotalSeconds), stopping.Token))
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in new[] { Mpeg1, H264 }.OfType<OriginStream>())
        {
            await stream.DisposeAsync();
        }
    }

    // Null: the origin does not offer the stream.
    private static async Task<OriginStream?> ConnectIfOfferedAsync(Uri address, OriginCodec codec, CancellationToken cancellationToken)
    {
        try
        {
            return await OriginStream.ConnectAsync(address, codec, cancellationToken);
        }
        catch (StreamNotOfferedException)
        {
            return null;
        }
    }
}
