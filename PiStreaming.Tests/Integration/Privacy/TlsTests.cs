using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration.Privacy;

/// <summary>https and wss: a self-signed certificate, certbot-style files reloaded while viewers watch, plain http to a TLS port.</summary>
public class TlsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Self_signed_certificate_is_made_once_kept_and_its_fingerprint_printed()
    {
        using var camera = PrivateCamera.Create();
        string firstLine;
        using (var server = ServerProcess.Start([.. ServerProcess.Loopback, "--tls", "self-signed", "--data-dir", camera.DataDirectory]))
        {
            var (port, _) = await server.WaitUntilListeningAsync(Patience);
            firstLine = await server.WaitForLogAsync("SHA-256 fingerprint", Patience);
            X509Certificate2? seen = null;
            using var http = PrivateCamera.Client(new Uri($"https://127.0.0.1:{port}/"), certificateSeen: c => seen = c);
            using var page = await http.GetAsync("/index.html");
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<canvas"));
            var fingerprint = string.Join(':', Convert.FromHexString(TestCertificates.Thumbprint(seen!)).Select(b => b.ToString("X2")));
            Assert.That(firstLine, Does.EndWith(fingerprint), "the fingerprint printed is the one served");
            Assert.That(server.StandardError, Does.Contain($"open https://127.0.0.1:{port}/"));
        }

        Assert.That(File.GetUnixFileMode(Path.Combine(camera.DataDirectory, "tls", "key.pem")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        using var again = ServerProcess.Start([.. ServerProcess.Loopback, "--tls", "self-signed", "--data-dir", camera.DataDirectory]);
        var secondLine = await again.WaitForLogAsync("SHA-256 fingerprint", Patience);
        Assert.That(secondLine[secondLine.IndexOf("SHA-256", StringComparison.Ordinal)..], Is.EqualTo(firstLine[firstLine.IndexOf("SHA-256", StringComparison.Ordinal)..]),
            "the next start keeps the certificate");
    }

    [Test]
    public async Task Plain_http_to_a_tls_port_is_redirected_to_https_on_both_ports()
    {
        using var camera = PrivateCamera.Create();
        await using var server = await TestServer.StartAsync(new ServerOptions { TlsSelfSigned = true, DataDirectory = camera.DataDirectory });
        foreach (var port in new[] { server.Server.HttpPort, server.Server.WebSocketPort })
        {
            using var http = PrivateCamera.Client(new Uri($"http://127.0.0.1:{port}/"));
            using var response = await http.GetAsync("/index.html?x=1");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently), $"port {port}");
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"https://127.0.0.1:{port}/index.html?x=1"));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo($"this port speaks HTTPS: https://127.0.0.1:{port}/index.html?x=1\n"));
        }

        // And TLS still works on the same ports.
        using var https = PrivateCamera.Client(server.HttpUri);
        using var page = await https.GetAsync("/index.html");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (status, first) = await PrivateCamera.WatchAsync(server.WebSocketUri);
        Assert.That((status, first), Is.EqualTo((HttpStatusCode.SwitchingProtocols, 8)), "wss on the video port");
    }

    [Test]
    public async Task A_private_camera_under_https_sets_a_secure_cookie()
    {
        using var camera = PrivateCamera.Create();
        await using var server = await TestServer.StartAsync(camera.Options(new ServerOptions { TlsSelfSigned = true }));
        using var http = PrivateCamera.Client(server.HttpUri, cookies: new CookieContainer());
        using var login = await http.PostAsync("/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = PrivateCamera.User, ["password"] = PrivateCamera.Password }));
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(login.Headers.GetValues("Set-Cookie").Single(), Does.Contain("secure").And.Contain("httponly").And.Contain("samesite=strict"));
    }

    [Test]
    public async Task Renewed_certificate_files_are_taken_for_new_connections_while_a_viewer_keeps_watching()
    {
        using var camera = PrivateCamera.Create();
        var certificateFile = Path.Combine(camera.Directory, "fullchain.pem");
        var keyFile = Path.Combine(camera.Directory, "privkey.pem");
        var first = TestCertificates.Write(certificateFile, keyFile, "first");
        await using var server = await TestServer.StartAsync(new ServerOptions { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile });

        Assert.That(await CertificateOfNewConnectionAsync(server.Server.HttpPort), Is.EqualTo(first));
        using var viewer = await WssViewer.ConnectAsync(server.WebSocketUri);
        Assert.That(await viewer.ReceiveMessagesAsync(5, Patience), Has.Count.EqualTo(5), "the viewer watches");

        var second = TestCertificates.Write(certificateFile, keyFile, "second");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        string? now = null;
        while (stopwatch.Elapsed < Patience && (now = await CertificateOfNewConnectionAsync(server.Server.HttpPort)) != second)
        {
            await Task.Delay(200);
        }

        TestContext.Out.WriteLine($"new certificate served after {stopwatch.ElapsedMilliseconds} ms");
        Assert.That(now, Is.EqualTo(second), "new connections get the new certificate");
        Assert.That(await CertificateOfNewConnectionAsync(server.Server.WebSocketPort), Is.EqualTo(second), "on the video port too");
        Assert.That(await viewer.ReceiveMessagesAsync(24, Patience), Has.Count.EqualTo(24), "the viewer was not dropped");
        Assert.That(viewer.State, Is.EqualTo(WebSocketState.Open));
    }

    [TestCase("garbage", "garbage")]
    [TestCase("missing", "missing")]
    public async Task Bad_certificate_or_key_files_are_a_one_line_error(string certificateContent, string keyContent)
    {
        using var camera = PrivateCamera.Create();
        var certificateFile = Path.Combine(camera.Directory, "cert.pem");
        var keyFile = Path.Combine(camera.Directory, "key.pem");
        if (certificateContent != "missing")
        {
            await File.WriteAllTextAsync(certificateFile, certificateContent);
            await File.WriteAllTextAsync(keyFile, keyContent);
        }

        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--tls-cert", certificateFile, "--tls-key", keyFile]);
        Assert.That(await server.WaitForExitAsync(Patience), Is.EqualTo(2));
        server.Process.WaitForExit();
        Assert.That(server.StandardError.Trim(), Does.StartWith("error: ").And.Contain(certificateContent == "missing" ? "does not exist" : "cannot use the certificate")
            .And.Not.Contain("\n"));
    }

    [Test]
    public async Task A_key_that_is_not_the_certificates_is_a_one_line_error()
    {
        using var camera = PrivateCamera.Create();
        var certificateFile = Path.Combine(camera.Directory, "cert.pem");
        var keyFile = Path.Combine(camera.Directory, "key.pem");
        TestCertificates.Write(certificateFile, keyFile, "one");
        TestCertificates.Write(Path.Combine(camera.Directory, "other.pem"), keyFile, "other");
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, "--tls-cert", certificateFile, "--tls-key", keyFile]);
        Assert.That(await server.WaitForExitAsync(Patience), Is.EqualTo(2));
        server.Process.WaitForExit();
        Assert.That(server.StandardError.Trim(), Does.StartWith("error: cannot use the certificate").And.Not.Contain("\n"));
    }

    /// <summary>The SHA-256 thumbprint of the certificate a new TLS connection to the port gets.</summary>
    private static async Task<string> CertificateOfNewConnectionAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        return TestCertificates.Thumbprint(new X509Certificate2(tls.RemoteCertificate!));
    }

    /// <summary>A viewer on wss that accepts the test's certificates.</summary>
    private sealed class WssViewer(ClientWebSocket socket) : IDisposable
    {
        public WebSocketState State => socket.State;

        public static async Task<WssViewer> ConnectAsync(Uri uri)
        {
            var socket = new ClientWebSocket();
            socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            await socket.ConnectAsync(uri, CancellationToken.None);
            return new WssViewer(socket);
        }

        public async Task<List<int>> ReceiveMessagesAsync(int count, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            var buffer = new byte[256 * 1024];
            var sizes = new List<int>();
            var size = 0;
            while (sizes.Count < count)
            {
                var result = await socket.ReceiveAsync(buffer, cancel.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                size += result.Count;
                if (result.EndOfMessage)
                {
                    sizes.Add(size);
                    size = 0;
                }
            }

            return sizes;
        }

        public void Dispose() => socket.Dispose();
    }
}
