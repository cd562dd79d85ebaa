using System.Security.Claims;
using idunno.Authentication.Basic;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using PiStreaming.Access;

namespace PiStreaming.Web.Access;

/// <summary>
/// ASP.NET Core authentication for a private camera: a login cookie for browsers, HTTP Basic for media
/// players and curl, access tokens (<c>Authorization: Bearer</c> or <c>?token=</c>) for things that cannot log
/// in. A policy scheme picks one by the request; a second one picks how to ask for credentials: browsers
/// are sent to the login page, WebSocket handshakes and everything else get 401 with
/// <c>WWW-Authenticate: Basic</c>. The fallback authorization policy makes every route private unless it is
/// marked anonymous (only the login page is), so routes added later are covered without a word.
/// </summary>
internal static class AccessSchemes
{
    public const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Basic = BasicAuthenticationDefaults.AuthenticationScheme;
    public const string Token = "Token";
    public const string CookieName = "pistreaming";
    public const string Realm = "PiStreaming";

    private const string ByRequest = "ByRequest";
    private const string AskByRequest = "AskByRequest";

    public static void Add(IServiceCollection services, WebAccess access, FailedLogins failedLogins)
    {
        services.AddDataProtection()
            .SetApplicationName("PiStreaming")
            .PersistKeysToFileSystem(new DirectoryInfo(access.KeyDirectory));
        services.AddSingleton(access.Credentials);
        services.AddSingleton(failedLogins);

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = ByRequest;
                o.DefaultChallengeScheme = AskByRequest;
                o.DefaultSignInScheme = Cookie;
                o.DefaultSignOutScheme = Cookie;
            })
            .AddPolicyScheme(ByRequest, "by the request's credentials", o => o.ForwardDefaultSelector = ChooseAuthentication)
            .AddPolicyScheme(AskByRequest, "by the kind of client", o => o.ForwardDefaultSelector = ChooseChallenge)
            .AddCookie(Cookie, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure under https
                o.LoginPath = LoginEndpoints.LoginPath;
                o.LogoutPath = LoginEndpoints.LogoutPath;
                o.ReturnUrlParameter = LoginEndpoints.ReturnParameter;
                o.ExpireTimeSpan = TimeSpan.FromDays(30);
                o.SlidingExpiration = true;
                // A relative address, so that behind a TLS-terminating proxy the browser stays on https.
                o.Events.OnRedirectToLogin = context =>
                {
                    context.Response.Redirect(new Uri(context.RedirectUri, UriKind.RelativeOrAbsolute) is { IsAbsoluteUri: true } uri ? uri.PathAndQuery : context.RedirectUri);
                    return Task.CompletedTask;
                };
                o.Events.OnValidatePrincipal = context =>
                {
                    // A user removed from the credentials file is logged out at the next request.
                    if (context.Principal?.Identity?.Name is not { } name || !access.Credentials.HasUser(name))
                    {
                        context.RejectPrincipal();
                    }

                    return Task.CompletedTask;
                };
            })
            .AddBasic(Basic, o =>
            {
                o.Realm = Realm;
                o.AllowInsecureProtocol = true; // a LAN camera without TLS is the documented default
                o.Events = new BasicAuthenticationEvents
                {
                    OnValidateCredentials = context =>
                    {
                        if (access.Credentials.PasswordMatches(context.Username, context.Password))
                        {
                            context.Principal = Principal(context.Username, context.Scheme.Name);
                            context.Success();
                        }
                        else
                        {
                            failedLogins.Record(context.HttpContext.Connection.RemoteIpAddress, context.Username);
                            context.Fail("wrong user name or password");
                        }

                        return Task.CompletedTask;
                    },
                };
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(Token, null);

        services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }

    /// <summary>
    /// Middleware (before authentication): a request that brings a password or token from an address with too
    /// many failed logins is answered 429 before its credentials are checked (the login form answers that itself).
    /// </summary>
    public static Task RefuseWhileBlocked(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0 || TokenAuthenticationHandler.Offers(request))
        {
            var wait = context.RequestServices.GetRequiredService<FailedLogins>().RetryAfterSeconds(context.Connection.RemoteIpAddress);
            if (wait > 0)
            {
                return PlainText.WriteAsync(context, StatusCodes.Status429TooManyRequests, $"too many failed logins from this address: try again in {wait} s", wait);
            }
        }

        return next();
    }

    public static ClaimsPrincipal Principal(string name, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.NameIdentifier, name)], scheme));

    /// <summary>
    /// The Authorization check for the video port, which is served before routing (see WebServer): the same
    /// fallback policy the routes get. Answers 401 and returns false when the request may not pass (never a
    /// redirect to a login page: the video port has none).
    /// </summary>
    public static async Task<bool> AuthorizeAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var policy = (await services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync())!;
        var evaluator = services.GetRequiredService<Microsoft.AspNetCore.Authorization.Policy.IPolicyEvaluator>();
        var authenticated = await evaluator.AuthenticateAsync(policy, context);
        var authorized = await evaluator.AuthorizeAsync(policy, authenticated, context, resource: null);
        if (authorized.Succeeded)
        {
            return true;
        }

        await context.ChallengeAsync(TokenAuthenticationHandler.Offers(context.Request) ? Token : Basic);
        return false;
    }

    private static string ChooseAuthentication(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return Basic;
        }

        return TokenAuthenticationHandler.Offers(context.Request) ? Token : Cookie;
    }

    private static string ChooseChallenge(HttpContext context)
    {
        var request = context.Request;
        if (TokenAuthenticationHandler.Offers(request))
        {
            return Token;
        }

        // A WebSocket handshake is answered 401 before any upgrade; a browser's page, script or picture
        // request is sent to the login page (a 401 with Basic would pop up the browser's own password box).
        var isBrowser = request.Headers.ContainsKey("Sec-Fetch-Mode") || request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
        return isBrowser && !context.WebSockets.IsWebSocketRequest ? Cookie : Basic;
    }
}
