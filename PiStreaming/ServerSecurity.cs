using System.Net;
using Microsoft.Extensions.Logging;
using PiStreaming.Access;
using PiStreaming.Options;
using PiStreaming.Tls;
using PiStreaming.Web.Access;

namespace PiStreaming;

/// <summary>
/// Who may watch and the certificate, as the options ask: the credentials file loaded, the data directory
/// prepared, the certificate loaded (or made) and watched for renewals. Reports what it set up at start.
/// </summary>
internal sealed class ServerSecurity : IAsyncDisposable
{
    private ServerSecurity(WebAccess? access, CertificateReloader? tls)
    {
        Access = access;
        Tls = tls;
    }

    public WebAccess? Access { get; }
    public CertificateReloader? Tls { get; }

    /// <exception cref="CredentialsException">the credentials file cannot be used.</exception>
    /// <exception cref="TlsException">the certificate, its key or the data directory cannot be used.</exception>
    public static ServerSecurity Load(ServerOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        var logger = loggers.CreateLogger("PiStreaming");
        var dataDirectory = options.DataDirectory ?? DataDirectory.Default();
        WebAccess? access = null;
        if (options.CredentialsFile is { } path)
        {
            var credentials = Credentials.Load(path, time, loggers.CreateLogger<Credentials>());
            access = new WebAccess(credentials, DataDirectory.Prepare(dataDirectory, "keys"));
        }

        var files = options.TlsSelfSigned ? SelfSignedCertificate.Ensure(dataDirectory, time)
            : options.TlsCertificateFile is { } certificate && options.TlsKeyFile is { } key ? (certificate, key)
            : ((string, string)?)null;
        var tls = files is var (certificateFile, keyFile) ? new CertificateReloader(certificateFile, keyFile, loggers.CreateLogger<CertificateReloader>(), time) : null;

        if (access is { Credentials: var who })
        {
            logger.LogInformation("private: {Users} users and {Tokens} tokens may watch (from {Path})", who.UserCount, who.TokenCount, options.CredentialsFile);
        }
        else if (options.Bind is null || !IPAddress.IsLoopback(options.Bind))
        {
            logger.LogWarning("anyone who can reach this server may watch the camera: make it private with --credentials FILE "
                + "(PiStreaming user add NAME --credentials FILE), or listen on loopback only (--bind 127.0.0.1)");
        }

        if (tls?.Current is { } current)
        {
            logger.LogInformation("TLS certificate {Subject}, valid until {NotAfter:yyyy-MM-dd}, SHA-256 fingerprint {Fingerprint}",
                current.Subject, current.NotAfter, current.Fingerprint);
        }

        return new ServerSecurity(access, tls);
    }

    public async ValueTask DisposeAsync()
    {
        if (Tls is not null)
        {
            await Tls.DisposeAsync();
        }
    }
}
