using Microsoft.Extensions.Logging;

namespace PiStreaming.Tls;

/// <summary>
/// The certificate new TLS connections get, reloaded when its files change (a certbot renewal): the files
/// are checked every <see cref="Interval"/>; a new pair that loads replaces the old one for the next
/// handshakes, connections already open keep theirs. A pair caught half-written is tried again at the next check.
/// </summary>
internal sealed class CertificateReloader : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly string certificatePath;
    private readonly string keyPath;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task watching;
    private (DateTime, long, DateTime, long) version;
    private bool reportedProblem;

    /// <exception cref="TlsException">the files cannot be used now.</exception>
    public CertificateReloader(string certificatePath, string keyPath, ILogger logger, TimeProvider time)
    {
        this.certificatePath = certificatePath;
        this.keyPath = keyPath;
        this.logger = logger;
        version = VersionOfFiles();
        Current = ServerCertificate.Load(certificatePath, keyPath);
        watching = WatchAsync(time, stopping.Token);
    }

    public ServerCertificate Current { get; private set; }

    private async Task WatchAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                CheckFiles();
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    private void CheckFiles()
    {
        var now = VersionOfFiles();
        if (now == version)
        {
            return;
        }

        try
        {
            Current = ServerCertificate.Load(certificatePath, keyPath);
            version = now;
            reportedProblem = false;
            logger.LogInformation("TLS certificate reloaded from {Path}: {Subject}, valid until {NotAfter:yyyy-MM-dd}, SHA-256 {Fingerprint}",
                certificatePath, Current.Subject, Current.NotAfter, Current.Fingerprint);
        }
        catch (TlsException e)
        {
            if (!reportedProblem)
            {
                logger.LogWarning("{Problem}; new connections keep the certificate loaded before", e.Message);
                reportedProblem = true;
            }
        }
    }

    private (DateTime, long, DateTime, long) VersionOfFiles()
    {
        var certificate = new FileInfo(certificatePath);
        var key = new FileInfo(keyPath);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await watching;
        stopping.Dispose();
    }
}
