using System.Net;
using System.Security.Cryptography;

namespace PiStreaming.Web.Access;

/// <summary>
/// The login form: all that a client without credentials is shown. It names nothing about the camera
/// (no size, colours, source or host), and its Content-Security-Policy allows its own style and a post to
/// its own origin, nothing else.
/// </summary>
internal static class LoginPage
{
    private const string Style =
        "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#333;color:#eee;font:16px system-ui,sans-serif}"
        + "form{display:flex;flex-direction:column;gap:10px;width:min(280px,90vw)}"
        + "input,button{font:inherit;padding:8px;border-radius:4px;border:1px solid #666}"
        + "button{background:#555;color:#fff;cursor:pointer}"
        + "p{margin:0;color:#f99}";

    private static readonly string StyleHash = Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Style)));

    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src 'sha256-{StyleHash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <param name="returnTo">where to go after logging in (a local path), or null.</param>
    /// <param name="problem">a line to show (wrong password, too many attempts), or null.</param>
    public static string Render(string? returnTo, string? problem)
    {
        var action = returnTo is null ? "login" : $"login?{LoginEndpoints.ReturnParameter}={Uri.EscapeDataString(returnTo)}";
        var message = problem is null ? "" : $"<p role=\"alert\">{WebUtility.HtmlEncode(problem)}</p>";
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="robots" content="noindex">
              <title>Log in</title>
              <style>{Style}</style>
            </head>
            <body>
              <form method="post" action="{WebUtility.HtmlEncode(action)}">
                {message}
                <input name="user" autocomplete="username" placeholder="user" aria-label="user" required autofocus>
                <input name="password" type="password" autocomplete="current-password" placeholder="password" aria-label="password" required>
                <button type="submit">Log in</button>
              </form>
            </body>
            </html>

            """;
    }
}
