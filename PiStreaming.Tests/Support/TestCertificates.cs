using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PiStreaming.Tests.Support;

/// <summary>Certificates for loopback made by the test, written as certbot writes them (PEM certificate and key files).</summary>
internal static class TestCertificates
{
    /// <returns>the new certificate's SHA-256 thumbprint.</returns>
    public static string Write(string certificateFile, string keyFile, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Key first, then the certificate, as a renewal may leave them for a moment: the server must wait for a matching pair.
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        return Thumbprint(certificate);
    }

    public static string Thumbprint(X509Certificate2 certificate) => Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
}
