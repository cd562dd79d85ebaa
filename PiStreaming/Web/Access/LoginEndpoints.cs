using Microsoft.AspNetCore.Authentication;
using PiStreaming.Access;

namespace PiStreaming.Web.Access;

/// <summary>
/// GET /login shows the form, POST /login checks it (rate limited per address, see <see cref="FailedLogins"/>)
/// and sets the login cookie, POST /logout ends the session. The only routes open to anyone.
/// </summary>
internal static class LoginEndpoints
{
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";
    public const string ReturnParameter = "return";
    private const string AfterLogin = "/index.html";
    private const int MaxFormBytes = 4096;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapMethods(LoginPath, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
            WritePageAsync(context, StatusCodes.Status200OK, null)).AllowAnonymous();
        routes.MapPost(LoginPath, LogInAsync).AllowAnonymous();
        routes.MapPost(LogoutPath, async (HttpContext context) =>
        {
            await context.SignOutAsync(AccessSchemes.Cookie);
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = LoginPath;
        }).AllowAnonymous();
    }

    private static async Task LogInAsync(HttpContext context, Credentials credentials, FailedLogins failedLogins, ILoggerFactory loggers)
    {
        var request = context.Request;
        if (!request.HasFormContentType || request.ContentLength is null or > MaxFormBytes)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status400BadRequest, "a login is a small form: user and password");
            return;
        }

        var address = context.Connection.RemoteIpAddress;
        if (failedLogins.RetryAfterSeconds(address) is > 0 and var wait)
        {
            context.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WritePageAsync(context, StatusCodes.Status429TooManyRequests, $"Too many failed logins from here: try again in {wait} s.");
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var user = form["user"].ToString();
        if (!credentials.PasswordMatches(user, form["password"].ToString()))
        {
            failedLogins.Record(address, user);
            await WritePageAsync(context, StatusCodes.Status401Unauthorized, "Wrong user or password.");
            return;
        }

        await context.SignInAsync(AccessSchemes.Cookie, AccessSchemes.Principal(user, AccessSchemes.Cookie));
        loggers.CreateLogger(typeof(LoginEndpoints)).LogInformation("{User} logged in from {Address}", user, address);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = LocalReturn(request) ?? AfterLogin;
    }

    private static Task WritePageAsync(HttpContext context, int status, string? problem)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = LoginPage.ContentSecurityPolicy;
        var body = System.Text.Encoding.UTF8.GetBytes(LoginPage.Render(LocalReturn(context.Request), problem));
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    // Only a path on this server: never //elsewhere or /\elsewhere (an open redirect).
    private static string? LocalReturn(HttpRequest request) =>
        request.Query[ReturnParameter].ToString() is { Length: > 0 and <= 512 } path && path[0] == '/' && (path.Length == 1 || path[1] is not ('/' or '\\'))
            && path.All(c => c is > ' ' and < (char)127)
            ? path
            : null;
}
