using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PiStreaming.Access;

namespace PiStreaming.Web.Access;

/// <summary>Access tokens, as <c>Authorization: Bearer TOKEN</c> or <c>?token=TOKEN</c>; a wrong one counts as a failed login.</summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, Credentials credentials, FailedLogins failedLogins)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string QueryParameter = "token";
    private const string Bearer = "Bearer ";

    /// <summary>The request carries a token (whether right or wrong).</summary>
    public static bool Offers(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || request.Query.ContainsKey(QueryParameter);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            ? authorization[Bearer.Length..].Trim()
            : Request.Query[QueryParameter].ToString();
        if (!Offers(Request))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (token.Length > 0 && credentials.TokenName(token) is { } name)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(AccessSchemes.Principal(name, Scheme.Name), Scheme.Name)));
        }

        failedLogins.Record(Context.Connection.RemoteIpAddress, "a wrong token");
        return Task.FromResult(AuthenticateResult.Fail("wrong token"));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Bearer realm=\"{AccessSchemes.Realm}\"";
        return Task.CompletedTask;
    }
}
