using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using PiStreaming.Access;
using PiStreaming.Options;

namespace PiStreaming.Tests.Support;

/// <summary>
/// A credentials file (one user, one token) and a data directory in a temporary folder, and clients that
/// connect from a chosen loopback address (Linux routes all of 127.0.0.0/8 to loopback).
/// </summary>
internal sealed class PrivateCamera : IDisposable
{
    public const string User = "alice";
    public const string Password = "correct horse battery";
    public const string TokenName = "homeassistant";

    private PrivateCamera(string directory, string token)
    {
        Directory = directory;
        Token = token;
    }

    public string Directory { get; }
    public string CredentialsFile => Path.Combine(Directory, "credentials.json");
    public string DataDirectory => Path.Combine(Directory, "data");
    public string Token { get; }

    public static PrivateCamera Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"pistreaming-private-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var token = Secrets.NewToken();
        var file = new CredentialFile();
        file.Users[User] = Secrets.HashPassword(Password);
        file.Tokens[TokenName] = Secrets.HashToken(token);
        var camera = new PrivateCamera(directory, token);
        file.Save(camera.CredentialsFile);
        return camera;
    }

    /// <summary>The options of a private server on this camera's files.</summary>
    public ServerOptions Options(ServerOptions? options = null) =>
        (options ?? new ServerOptions()) with { CredentialsFile = CredentialsFile, DataDirectory = DataDirectory };

    /// <summary>The server's command-line options for this camera's files.</summary>
    public string[] Arguments => ["--credentials", CredentialsFile, "--data-dir", DataDirectory];

    public static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>An HTTP client that follows no redirects, connects from <paramref name="source"/> and accepts any certificate (the one seen is kept).</summary>
    public static HttpClient Client(Uri baseAddress, IPAddress? source = null, CookieContainer? cookies = null, Action<X509Certificate2>? certificateSeen = null) =>
        new(Handler(source, cookies, certificateSeen)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };

    public static SocketsHttpHandler Handler(IPAddress? source = null, CookieContainer? cookies = null, Action<X509Certificate2>? certificateSeen = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            PooledConnectionLifetime = TimeSpan.Zero, // a new connection (and TLS handshake) for every request
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is not null)
            {
                certificateSeen?.Invoke(new X509Certificate2(certificate));
            }

            return true;
        };
        if (source is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    /// <summary>Opens the video WebSocket; the handshake's status and, when accepted, the first message's length.</summary>
    public static async Task<(HttpStatusCode Status, int FirstMessage)> WatchAsync(Uri uri, IPAddress? source = null, string? authorization = null,
        string? cookie = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (authorization is not null)
        {
            socket.Options.SetRequestHeader("Authorization", authorization);
        }

        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        using var invoker = new HttpMessageInvoker(Handler(source));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await socket.ConnectAsync(uri, invoker, cancel.Token);
        }
        catch (WebSocketException)
        {
            return (socket.HttpStatusCode, 0);
        }

        var first = await socket.ReceiveAsync(new byte[64 * 1024], cancel.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancel.Token);
        return (socket.HttpStatusCode, first.Count);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // left for the system's temporary-file cleaning
        }
    }
}
