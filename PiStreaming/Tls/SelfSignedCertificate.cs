using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PiStreaming.Tls;

/// <summary>
/// A self-signed certificate made once (ECDSA P-256, five years, for this host's names and loopback) and kept
/// in the data directory as tls/cert.pem and tls/key.pem (0600); later starts reuse it, so a browser's
/// exception and the fingerprint a user checked stay valid.
/// </summary>
internal static class SelfSignedCertificate
{
    /// <returns>the certificate and key files.</returns>
    /// <exception cref="TlsException">the files cannot be written.</exception>
    public static (string Certificate, string Key) Ensure(string dataDirectory, TimeProvider time)
    {
        var directory = Path.Combine(dataDirectory, "tls");
        var certificate = Path.Combine(directory, "cert.pem");
        var key = Path.Combine(directory, "key.pem");
        if (File.Exists(certificate) && File.Exists(key))
        {
            return (certificate, key);
        }

        try
        {
            PrivateFiles.CreateDirectory(directory);
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var host = Dns.GetHostName();
            var request = new CertificateRequest($"CN={host}, O=PiStreaming self-signed", ecdsa, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in new[] { host, $"{host}.local", "localhost" }.Distinct())
            {
                names.AddDnsName(name);
            }

            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server authentication
            var now = time.GetUtcNow();
            using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
            WritePrivate(key, ecdsa.ExportPkcs8PrivateKeyPem());
            WritePrivate(certificate, made.ExportCertificatePem());
            return (certificate, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsException($"cannot keep a self-signed certificate in {directory}: {e.Message}");
        }
    }

    private static void WritePrivate(string path, string text) =>
        PrivateFiles.Write(path, stream => stream.Write(System.Text.Encoding.ASCII.GetBytes(text + "\n")));
}
