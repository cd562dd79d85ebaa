using System.Net;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

public class HttpRouteTests
{
    private TestServer server = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        server = await TestServer.StartAsync();
        client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.HttpUri };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    private Task<HttpResponseMessage> SendAsync(string method, string path, string? host = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return client.SendAsync(request);
    }

    [TestCase("GET")]
    [TestCase("HEAD")]
    public async Task Root_redirects_to_the_page(string method)
    {
        using var response = await SendAsync(method, "/");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/index.html"));
    }

    [Test]
    public async Task Page_is_html_with_the_websocket_address_for_the_host_used()
    {
        using var response = await SendAsync("GET", "/index.html", host: $"camera.example:{server.Server.HttpPort}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/html; charset=utf-8"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("location.host + '/video'"), "the page opens /video on its own host, ws or wss as it came");
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(),
            Does.Contain($"ws://camera.example:{server.Server.HttpPort}/video wss://camera.example:{server.Server.HttpPort}/video"), "which its policy allows");
        Assert.That(html, Does.Not.Contain("@ADDRESS@").And.Not.Contain("@WIDTH@").And.Not.Contain("@COLOR@"));
        Assert.That(html, Does.Contain("name=\"viewport\""));
    }

    [Test]
    public async Task Decoder_is_served_as_javascript_unchanged()
    {
        using var response = await SendAsync("GET", "/jsmpg.js");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/javascript"));
        var expected = await File.ReadAllBytesAsync(Path.Combine(Web.StaticAssets.DefaultDirectory, "jsmpg.js"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(expected));
    }

    [TestCase("/index.html")]
    [TestCase("/jsmpg.js")]
    public async Task Head_answers_like_get_without_a_body(string path)
    {
        using var get = await SendAsync("GET", path);
        using var head = await SendAsync("HEAD", path);
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(get.Content.Headers.ContentLength).And.GreaterThan(0));
        Assert.That(head.Content.Headers.ContentType, Is.EqualTo(get.Content.Headers.ContentType));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [TestCase("/nothing-here")]
    [TestCase("/static/index.html")]
    [TestCase("/../etc/passwd")]
    public async Task Unknown_paths_are_404(string path)
    {
        using var response = await SendAsync("GET", path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("POST", "/index.html")]
    [TestCase("PUT", "/jsmpg.js")]
    [TestCase("DELETE", "/")]
    public async Task Other_methods_are_405(string method, string path)
    {
        using var response = await SendAsync(method, path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task Plain_http_on_the_websocket_port_asks_for_an_upgrade()
    {
        using var plain = new HttpClient();
        using var response = await plain.GetAsync(new Uri($"http://127.0.0.1:{server.Server.WebSocketPort}/"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UpgradeRequired));
    }
}
