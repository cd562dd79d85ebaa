using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using PiStreaming.Tls;

namespace PiStreaming.Web;

/// <summary>
/// HTTPS and WSS on a listener, with the certificate <see cref="CertificateReloader"/> holds at each handshake.
/// A client that speaks plain HTTP to it (its first byte is not a TLS handshake record) skips TLS and reaches
/// the app as plain HTTP, where <see cref="RedirectPlainHttp"/> sends it to https: a clear answer instead of
/// a dropped connection or bytes it cannot read. HTTP/1.1 only, as on the plain ports (WebSockets and the
/// streams keep one connection each).
/// </summary>
internal static class TlsListener
{
    private const byte HandshakeRecord = 0x16; // the first byte of every TLS ClientHello
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public static void Use(ListenOptions listener, CertificateReloader certificates, TimeProvider time)
    {
        ConnectionDelegate? plain = null;
        listener.Protocols = HttpProtocols.Http1;
        listener.Use(next => async connection =>
        {
            var startsWithTls = await StartsWithTls(connection, time);
            if (startsWithTls is { } tls)
            {
                await (tls ? next : plain!)(connection);
            }
        });
        listener.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = HandshakeTimeout,
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificates.Current.Context,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }),
        });
        listener.Use(next => plain = next); // what comes after TLS: Kestrel's HTTP handling
    }

    /// <summary>Middleware (first) for a TLS server: a request that came in without TLS is redirected to https, nothing else.</summary>
    public static Task RedirectPlainHttp(HttpContext context, Func<Task> next)
    {
        if (context.Request.IsHttps)
        {
            return next();
        }

        var target = $"https://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
        context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        context.Response.Headers.Location = target;
        return PlainText.WriteAsync(context, StatusCodes.Status301MovedPermanently, $"this port speaks HTTPS: {target}");
    }

    /// <returns>true for TLS, false for anything else, null when the client sent nothing before closing or timing out.</returns>
    private static async ValueTask<bool?> StartsWithTls(ConnectionContext connection, TimeProvider time)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(HandshakeTimeout, time);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed);
        try
        {
            var read = await input.ReadAsync(closed.Token);
            var buffer = read.Buffer;
            // Nothing consumed or examined: Kestrel (TLS or HTTP) reads the same bytes next.
            input.AdvanceTo(buffer.Start, buffer.Start);
            return buffer.IsEmpty ? null : buffer.FirstSpan[0] == HandshakeRecord;
        }
        catch (OperationCanceledException)
        {
            connection.Abort(new ConnectionAbortedException("sent nothing"));
            return null;
        }
    }
}
