using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using PiStreaming.Logging;

namespace PiStreaming.Access;

/// <summary>
/// Failed logins (wrong passwords and tokens, by form, Basic or Bearer) rate limited per client address
/// with .NET's rate limiter: each address has a bucket of <see cref="Allowance"/> failures, refilled by
/// one every <see cref="Refill"/>. An address whose bucket is empty is refused before its password is even
/// checked, until the bucket refills; other addresses are not affected. Failures are logged, throttled.
/// </summary>
internal sealed class FailedLogins : IAsyncDisposable
{
    public const int Allowance = 5;
    public static readonly TimeSpan Refill = TimeSpan.FromSeconds(12);

    private readonly PartitionedRateLimiter<IPAddress> limiter;
    private readonly ILogger logger;
    private readonly LogThrottle failures;
    private readonly LogThrottle refusals;

    public FailedLogins(ILogger logger, TimeProvider time)
    {
        this.logger = logger;
        failures = new LogThrottle(TimeSpan.FromSeconds(5), time);
        refusals = new LogThrottle(TimeSpan.FromSeconds(10), time);
        limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Allowance,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = Refill,
            AutoReplenishment = true,
            QueueLimit = 0,
        }));
    }

    /// <summary>Seconds until this address may try again; 0 when it may now.</summary>
    public int RetryAfterSeconds(IPAddress? address)
    {
        if (limiter.GetStatistics(Key(address))?.CurrentAvailablePermits is not 0)
        {
            return 0;
        }

        if (refusals.TryLog(out var more))
        {
            logger.LogWarning("refused a login from {Address}: too many failed logins from there{More}", Key(address), LogThrottle.More(more));
        }

        return (int)Math.Ceiling(Refill.TotalSeconds);
    }

    /// <summary>Counts a failed login from this address.</summary>
    /// <param name="who">the name tried (a user name), or a description ("a wrong token").</param>
    public void Record(IPAddress? address, string who)
    {
        using var lease = limiter.AttemptAcquire(Key(address));
        if (failures.TryLog(out var more))
        {
            logger.LogWarning("failed login from {Address} as {Who}{More}", Key(address), Sanitize(who), LogThrottle.More(more));
        }
    }

    public ValueTask DisposeAsync() => limiter.DisposeAsync();

    private static IPAddress Key(IPAddress? address) => address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Sanitize(string text) => new([.. text.Take(64).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
}
