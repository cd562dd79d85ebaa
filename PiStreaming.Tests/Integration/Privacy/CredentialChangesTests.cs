using System.Net;
using System.Net.Http.Headers;
using PiStreaming.Access;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration.Privacy;

/// <summary>A running server follows its credentials file: removed users and revoked tokens lose access without a restart.</summary>
public class CredentialChangesTests
{
    [Test]
    public async Task A_removed_user_is_logged_out_and_a_revoked_token_refused_while_the_server_runs()
    {
        using var camera = PrivateCamera.Create();
        await using var server = await TestServer.StartAsync(camera.Options());
        var cookies = new CookieContainer();
        using var browser = PrivateCamera.Client(server.HttpUri, cookies: cookies);
        using (var login = await browser.PostAsync("/login",
                   new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = PrivateCamera.User, ["password"] = PrivateCamera.Password })))
        {
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        }

        Assert.That(await StatusAsync(browser, null), Is.EqualTo(HttpStatusCode.OK), "logged in");
        Assert.That(await StatusAsync(browser, "Bearer " + camera.Token), Is.EqualTo(HttpStatusCode.OK), "the token works");

        var file = CredentialFile.Load(camera.CredentialsFile);
        file.Users.Remove(PrivateCamera.User);
        file.Tokens.Remove(PrivateCamera.TokenName);
        file.Users["bob"] = Secrets.HashPassword("another");
        file.Save(camera.CredentialsFile);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (await StatusAsync(browser, null) == HttpStatusCode.OK && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        TestContext.Out.WriteLine($"refused after {stopwatch.ElapsedMilliseconds} ms");
        Assert.That(await StatusAsync(browser, null), Is.EqualTo(HttpStatusCode.Unauthorized), "the removed user's cookie is refused");
        Assert.That(await StatusAsync(browser, "Bearer " + camera.Token), Is.EqualTo(HttpStatusCode.Unauthorized), "the revoked token is refused");
        Assert.That(await StatusAsync(browser, PrivateCamera.Basic("bob", "another")), Is.EqualTo(HttpStatusCode.OK), "the new user gets in");
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jsmpg.js");
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
