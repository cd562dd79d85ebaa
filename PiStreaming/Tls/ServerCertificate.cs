using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PiStreaming.Tls;

/// <summary>
/// A certificate and its private key from PEM files, as certbot writes them (fullchain.pem: the
/// certificate, then its intermediates; privkey.pem: the key), ready for TLS handshakes with the chain.
/// </summary>
internal sealed record ServerCertificate(SslStreamCertificateContext Context, string Fingerprint, DateTimeOffset NotAfter, string Subject)
{
    /// <exception cref="TlsException">a file is missing or unreadable, not PEM, or the key does not belong to the certificate.</exception>
    public static ServerCertificate Load(string certificatePath, string keyPath)
    {
        X509Certificate2 leaf;
        X509Certificate2Collection chain = [];
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            chain.ImportFromPemFile(certificatePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TlsException($"{(File.Exists(certificatePath) ? keyPath : certificatePath)} does not exist");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new TlsException($"cannot use the certificate {certificatePath} with the key {keyPath}: {OneLine(e.Message)}");
        }

        if (!leaf.HasPrivateKey)
        {
            throw new TlsException($"the key {keyPath} does not belong to the certificate {certificatePath}");
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain.Skip(1))
        {
            intermediates.Add(certificate);
        }

        // Linux: a key that came from PEM is used as is (no export round trip needed, unlike on Windows).
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new ServerCertificate(context, FingerprintOf(leaf), leaf.NotAfter, leaf.Subject);
    }

    /// <summary>The SHA-256 of the certificate, as browsers show it: AB:CD:...</summary>
    public static string FingerprintOf(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
