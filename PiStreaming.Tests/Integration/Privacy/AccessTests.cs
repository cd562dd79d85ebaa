using System.Net;
using System.Net.Http.Headers;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration.Privacy;

/// <summary>Every route of a private camera, without, with wrong and with right credentials (password, token, login cookie).</summary>
public class AccessTests
{
    // The status and metrics are private too: Prometheus scrapes with a token (Bearer), the status page polls with the login cookie.
    private static readonly string[] Routes =
        ["/", "/index.html", "/jsmpg.js", "/snapshot.jpg", "/stream.mjpg", "/stream.mpg", "/status", "/status.html", "/metrics", "/nothing-here"];

    private static readonly string[] ServedRoutes = ["/index.html", "/jsmpg.js", "/snapshot.jpg", "/stream.mjpg", "/stream.mpg", "/status", "/status.html", "/metrics"];

    // Every test that sends wrong credentials does so from an address of its own, so that the failed-login
    // limit (per address) of one test never stops another.
    private static int nextWrongAddress = 1;

    private PrivateCamera camera = null!;
    private TestServer server = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        camera = PrivateCamera.Create();
        // Size and colours no default has, to look for in what an anonymous client gets.
        server = await TestServer.StartAsync(camera.Options(new ServerOptions { Width = 336, Height = 192, Color = "#a1b2c3", BackgroundColor = "#c3b2a1" }));
        client = PrivateCamera.Client(server.HttpUri);
        // The snapshot exists once the first JPEG does.
        using var first = PrivateCamera.Client(server.HttpUri);
        await Eventually.HoldsAsync(() => SnapshotReady(first), TimeSpan.FromSeconds(20), "a first snapshot");
    }

    private bool SnapshotReady(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/snapshot.jpg");
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(PrivateCamera.Basic(PrivateCamera.User, PrivateCamera.Password));
        using var response = http.Send(request);
        return response.StatusCode == HttpStatusCode.OK;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        client.Dispose();
        await server.DisposeAsync();
        camera.Dispose();
    }

    private static IPAddress WrongAddress() => IPAddress.Parse($"127.0.1.{Interlocked.Increment(ref nextWrongAddress)}");

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? authorization = null, string? accept = null,
        HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string scheme, string what)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), what);
        Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { scheme }), what);
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty, $"{what}: nothing but the status");
    }

    [Test]
    public async Task Without_credentials_every_route_is_401_with_basic_for_non_browsers([ValueSource(nameof(Routes))] string path)
    {
        using var response = await GetAsync(client, path);
        await AssertRefusedAsync(response, "Basic", path);
        using var post = await GetAsync(client, path, method: HttpMethod.Post);
        await AssertRefusedAsync(post, "Basic", $"POST {path}");
    }

    [Test]
    public async Task A_browser_without_a_login_is_sent_to_the_login_page([Values("/index.html", "/", "/snapshot.jpg")] string path)
    {
        using var response = await GetAsync(client, path, accept: "text/html");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/login?return={Uri.EscapeDataString(path)}"), "a relative address: the browser stays on its scheme and host");
    }

    [Test]
    public async Task Wrong_password_or_token_is_refused([ValueSource(nameof(Routes))] string path)
    {
        using var http = PrivateCamera.Client(server.HttpUri, WrongAddress());
        using var wrongPassword = await GetAsync(http, path, PrivateCamera.Basic(PrivateCamera.User, "wrong"));
        await AssertRefusedAsync(wrongPassword, "Basic", $"{path} with a wrong password");
        using var unknownUser = await GetAsync(http, path, PrivateCamera.Basic("mallory", PrivateCamera.Password));
        await AssertRefusedAsync(unknownUser, "Basic", $"{path} as an unknown user");
        using var wrongBearer = await GetAsync(http, path, "Bearer " + camera.Token[..^2] + "xx");
        await AssertRefusedAsync(wrongBearer, "Bearer", $"{path} with a wrong bearer token");
        using var wrongQuery = await GetAsync(http, path + "?token=" + PiStreaming.Access.Secrets.NewToken());
        await AssertRefusedAsync(wrongQuery, "Bearer", $"{path} with a wrong ?token=");
    }

    [Test]
    public async Task Right_password_or_token_is_served([ValueSource(nameof(ServedRoutes))] string path)
    {
        foreach (var (how, authorization, query) in new (string, string?, string)[]
                 {
                     ("Basic", PrivateCamera.Basic(PrivateCamera.User, PrivateCamera.Password), ""),
                     ("Bearer", "Bearer " + camera.Token, ""),
                     ("?token=", null, "?token=" + camera.Token),
                 })
        {
            using var response = await GetAsync(client, path + query, authorization);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path} with {how}");
        }
    }

    [Test]
    public async Task Right_credentials_reach_unknown_paths_as_404()
    {
        using var response = await GetAsync(client, "/nothing-here", PrivateCamera.Basic(PrivateCamera.User, PrivateCamera.Password));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private Uri PageVideo => new($"ws://127.0.0.1:{server.Server.HttpPort}/video");
    private Uri PortVideo => new($"ws://127.0.0.1:{server.Server.WebSocketPort}/");

    [Test]
    public async Task Video_websocket_on_either_port_is_refused_401_before_upgrading_without_right_credentials()
    {
        foreach (var uri in new[] { PageVideo, PortVideo })
        {
            Assert.That((await PrivateCamera.WatchAsync(uri)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), $"{uri} without credentials");
            var wrong = WrongAddress();
            Assert.That((await PrivateCamera.WatchAsync(uri, wrong, PrivateCamera.Basic(PrivateCamera.User, "wrong"))).Status, Is.EqualTo(HttpStatusCode.Unauthorized),
                $"{uri} with a wrong password");
            Assert.That((await PrivateCamera.WatchAsync(new Uri(uri, "?token=nope"), wrong)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), $"{uri} with a wrong token");
            Assert.That((await PrivateCamera.WatchAsync(uri, cookie: $"{Web.Access.AccessSchemes.CookieName}=forged")).Status,
                Is.EqualTo(HttpStatusCode.Unauthorized), $"{uri} with a forged cookie");
        }
    }

    [Test]
    public async Task A_browser_on_the_video_port_gets_401_not_a_login_page_it_does_not_have()
    {
        using var http = PrivateCamera.Client(new Uri($"http://127.0.0.1:{server.Server.WebSocketPort}/"));
        using var response = await GetAsync(http, "/", accept: "text/html");
        await AssertRefusedAsync(response, "Basic", "the video port");
    }

    [Test]
    public async Task Video_websocket_on_either_port_plays_with_a_password_a_token_or_the_login_cookie()
    {
        var cookie = await LogInAsync(new CookieContainer());
        foreach (var uri in new[] { PageVideo, PortVideo })
        {
            var attempts = new (string How, Uri Uri, string? Authorization, string? Cookie)[]
            {
                ("Basic", uri, PrivateCamera.Basic(PrivateCamera.User, PrivateCamera.Password), null),
                ("Bearer", uri, "Bearer " + camera.Token, null),
                ("?token=", new Uri(uri, "?token=" + camera.Token), null, null),
                ("cookie", uri, null, cookie),
            };
            foreach (var (how, target, authorization, withCookie) in attempts)
            {
                var (status, first) = await PrivateCamera.WatchAsync(target, authorization: authorization, cookie: withCookie);
                Assert.That(status, Is.EqualTo(HttpStatusCode.SwitchingProtocols), $"{uri} with {how}");
                Assert.That(first, Is.EqualTo(8), $"{uri} with {how}: the jsmp header first");
            }
        }
    }

    [Test]
    public async Task Logging_in_sets_a_strict_http_only_cookie_and_logging_out_ends_it()
    {
        var cookies = new CookieContainer();
        using var http = PrivateCamera.Client(server.HttpUri, cookies: cookies);
        using var wrongClient = PrivateCamera.Client(server.HttpUri, WrongAddress());
        using var wrong = await PostLoginAsync(wrongClient, "nope");
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("Wrong user or password"));

        using var login = await PostLoginAsync(http, PrivateCamera.Password, "/snapshot.jpg");
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(login.Headers.Location?.ToString(), Is.EqualTo("/snapshot.jpg"), "back where the browser was going");
        var setCookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.That(setCookie, Does.StartWith(Web.Access.AccessSchemes.CookieName + "=").And.Contain("httponly").And.Contain("samesite=strict"));
        Assert.That(setCookie, Does.Not.Contain("secure"), "plain http: no Secure flag (https: see TlsTests)");

        using (var page = await GetAsync(http, "/index.html"))
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("action=\"logout\""));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        }

        using var logout = await http.PostAsync("/logout", null);
        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        using var after = await GetAsync(http, "/index.html");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the cookie is gone");
    }

    [Test]
    public async Task Login_redirects_only_to_paths_on_this_server([Values("//evil.example/", "/\\evil.example", "https://evil.example/")] string target)
    {
        using var http = PrivateCamera.Client(server.HttpUri, cookies: new CookieContainer());
        using var login = await PostLoginAsync(http, PrivateCamera.Password, target);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(login.Headers.Location?.ToString(), Is.EqualTo("/index.html"));
    }

    [Test]
    public async Task An_anonymous_client_learns_nothing_about_the_camera_from_the_login_page()
    {
        using var response = await GetAsync(client, "/login");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("type=\"password\""));
        foreach (var secret in new[] { "336", "192", "a1b2c3", "c3b2a1", "jsmpg", "video", "snapshot", "stream", "PiStreaming", "camera" })
        {
            Assert.That(html, Does.Not.Contain(secret).IgnoreCase, $"the login page names {secret}");
        }

        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'none'").And.Contain("form-action 'self'"));
    }

    private async Task<string> LogInAsync(CookieContainer cookies)
    {
        using var http = PrivateCamera.Client(server.HttpUri, cookies: cookies);
        using var login = await PostLoginAsync(http, PrivateCamera.Password);
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        return cookies.GetCookieHeader(server.HttpUri);
    }

    private static Task<HttpResponseMessage> PostLoginAsync(HttpClient http, string password, string? returnTo = null) =>
        http.PostAsync(returnTo is null ? "/login" : $"/login?return={Uri.EscapeDataString(returnTo)}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = PrivateCamera.User, ["password"] = password }));
}
