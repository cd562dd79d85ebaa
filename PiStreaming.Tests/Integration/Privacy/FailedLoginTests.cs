using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using PiStreaming.Access;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration.Privacy;

/// <summary>Failed logins are limited per client address (loopback addresses 127.0.0.2 and 127.0.0.3 stand for two clients).</summary>
public class FailedLoginTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Someone = IPAddress.Parse("127.0.0.3");

    [Test]
    public async Task A_burst_of_wrong_passwords_is_stopped_and_logged_while_the_right_one_from_elsewhere_logs_in_at_once()
    {
        using var camera = PrivateCamera.Create();
        using var server = ServerProcess.Start([.. ServerProcess.Loopback, .. camera.Arguments]);
        var (port, _) = await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        var uri = new Uri($"http://127.0.0.1:{port}/");
        using var attacker = PrivateCamera.Client(uri, Attacker);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < FailedLogins.Allowance + 5; attempt++)
        {
            using var response = await LogInAsync(attacker, $"guess{attempt}");
            statuses.Add(response.StatusCode);
        }

        TestContext.Out.WriteLine(string.Join(' ', statuses.Select(s => (int)s)));
        Assert.That(statuses.Take(FailedLogins.Allowance), Is.All.EqualTo(HttpStatusCode.Unauthorized), "wrong passwords are checked");
        Assert.That(statuses.Skip(FailedLogins.Allowance), Is.All.EqualTo(HttpStatusCode.TooManyRequests), "then refused unchecked");

        using (var rightFromAttacker = await LogInAsync(attacker, PrivateCamera.Password))
        {
            Assert.That(rightFromAttacker.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "even the right password, from that address, waits");
            Assert.That(rightFromAttacker.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0));
        }

        using (var basicFromAttacker = new HttpRequestMessage(HttpMethod.Get, "/snapshot.jpg"))
        {
            basicFromAttacker.Headers.Authorization = AuthenticationHeaderValue.Parse(PrivateCamera.Basic(PrivateCamera.User, "guess"));
            using var response = await attacker.SendAsync(basicFromAttacker);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "Basic from that address too");
        }

        using var someone = PrivateCamera.Client(uri, Someone);
        var clock = Stopwatch.StartNew();
        using var login = await LogInAsync(someone, PrivateCamera.Password);
        clock.Stop();
        TestContext.Out.WriteLine($"right password from {Someone}: {(int)login.StatusCode} in {clock.ElapsedMilliseconds} ms");
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "another address logs in");
        Assert.That(clock.Elapsed, Is.LessThan(FailedLogins.Refill), "without waiting for the attacker's limit");

        var logged = await server.WaitForLogAsync("failed login from 127.0.0.2 as alice", TimeSpan.FromSeconds(5));
        Assert.That(logged, Does.Contain("warning"));
        await server.WaitForLogAsync("refused a login from 127.0.0.2: too many failed logins", TimeSpan.FromSeconds(5));
        await server.WaitForLogAsync("alice logged in from 127.0.0.3", TimeSpan.FromSeconds(5));
        var failureLines = server.StandardError.Split('\n').Count(l => l.Contains("failed login from", StringComparison.Ordinal));
        Assert.That(failureLines, Is.LessThan(FailedLogins.Allowance), "the log is throttled, not a line per attempt");
    }

    private static Task<HttpResponseMessage> LogInAsync(HttpClient http, string password) =>
        http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = PrivateCamera.User, ["password"] = password }));
}
