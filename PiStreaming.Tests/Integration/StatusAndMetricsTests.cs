using System.Net;
using System.Text.Json;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// /metrics, as Prometheus scrapes it (its text format, parsed), and /status (JSON), on the real server
/// with the test pattern: the expected facts are there, and they move while a viewer watches.
/// </summary>
internal class StatusAndMetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly string[] Families =
    [
        "pistreaming_viewers", "pistreaming_pictures_sent_total", "pistreaming_sent_bytes_total", "pistreaming_pictures_encoded_total",
        "pistreaming_encoded_bytes_total", "pistreaming_encoder_restarts_total", "pistreaming_frames_dropped_total", "pistreaming_pictures_skipped_total",
        "pistreaming_viewers_closed_too_slow_total", "pistreaming_camera_restarts_total",
        "pistreaming_process_cpu_time_seconds_total", "pistreaming_process_memory_bytes",
    ];

    // A histogram has samples once something was measured: here, once a picture was sent.
    private const string PictureAge = "pistreaming_picture_age_seconds";

    private TestServer server = null!;
    private HttpClient http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        server = await TestServer.StartAsync();
        http = new HttpClient { BaseAddress = server.HttpUri, Timeout = Patience };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    [Test]
    public async Task Metrics_are_in_prometheus_text_format_with_every_family()
    {
        using var response = await http.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        var metrics = PrometheusText.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(metrics.Types.Keys, Is.SupersetOf(Families));
        Assert.That(metrics.Types["pistreaming_viewers"], Is.EqualTo("gauge"));
        Assert.That(metrics.Types["pistreaming_pictures_sent_total"], Is.EqualTo("counter"));
        foreach (var output in new[] { "video", "stream.mpg", "stream.mjpg" })
        {
            Assert.That(metrics.Value("pistreaming_viewers", ("output", output)), Is.Zero, $"nobody watches {output} yet");
        }

        Assert.That(metrics.Value("pistreaming_process_memory_bytes"), Is.GreaterThan(10e6));
        Assert.That(metrics.Value("pistreaming_process_cpu_time_seconds_total"), Is.GreaterThan(0));
        Assert.That(metrics.Value("pistreaming_encoder_restarts_total", ("encoder", "mpeg1")), Is.Zero);
    }

    [Test]
    public async Task Pictures_sent_bytes_and_ages_rise_while_a_viewer_watches()
    {
        var before = await ScrapeAsync();
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        var messages = await viewer.ReceiveMessagesAsync(1 + 48, Patience);
        Assert.That(messages, Has.Count.EqualTo(49), "the viewer got the header and two seconds of video");

        // A viewer's first picture (an I picture, sent whole) is followed by a message of just the next picture's start code.
        var pictures = messages.Skip(1).Count(m => m.Length > 4);

        var during = await ScrapeAsync();
        Assert.That(during.Value("pistreaming_viewers", ("output", "video")), Is.EqualTo(1));
        var sent = during.Value("pistreaming_pictures_sent_total", ("output", "video")) - before.Value("pistreaming_pictures_sent_total", ("output", "video"));
        Assert.That(sent, Is.GreaterThanOrEqualTo(pictures), "every picture the viewer received was counted");
        Assert.That(during.Types[PictureAge], Is.EqualTo("histogram"));
        var bytes = during.Value("pistreaming_sent_bytes_total", ("output", "video")) - before.Value("pistreaming_sent_bytes_total", ("output", "video"));
        Assert.That(bytes, Is.GreaterThanOrEqualTo(messages.Skip(1).Sum(m => m.Length)), "the bytes of the pictures it received, at least");
        var timed = during.Value(PictureAge + "_count", ("output", "video")) - CountBefore(before, PictureAge + "_count");
        var totalAge = during.Value(PictureAge + "_sum", ("output", "video")) - CountBefore(before, PictureAge + "_sum");
        Assert.That(timed, Is.EqualTo(sent), "every picture sent had its age measured");
        Assert.That(totalAge / timed, Is.GreaterThan(0).And.LessThan(0.5), "mean seconds from camera frame to picture sent");
        Assert.That(during.Value(PictureAge + "_bucket", ("output", "video"), ("le", "+Inf")), Is.EqualTo(during.Value(PictureAge + "_count", ("output", "video"))));
        Assert.That(during.Value("pistreaming_pictures_encoded_total", ("encoder", "mpeg1")),
            Is.GreaterThan(before.Value("pistreaming_pictures_encoded_total", ("encoder", "mpeg1"))));

        viewer.Dispose();
        await Eventually.HoldsAsync(async () => (await ScrapeAsync()).Value("pistreaming_viewers", ("output", "video")) == 0, Patience, "the viewer left");
    }

    [Test]
    public async Task Status_is_json_with_the_stream_the_counters_and_the_process()
    {
        using var viewer = await WebSocketViewer.ConnectAsync(server.WebSocketUri);
        Assert.That(await viewer.ReceiveMessagesAsync(1 + 24, Patience), Has.Count.EqualTo(25));

        using var response = await http.GetAsync("/status");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("application/json; charset=utf-8"));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = status.RootElement;

        Assert.That(root.GetProperty("uptimeSeconds").GetDouble(), Is.GreaterThan(0));
        var stream = root.GetProperty("stream");
        Assert.That(stream.GetProperty("source").GetString(), Is.EqualTo("test pattern"));
        Assert.That(stream.GetProperty("width").GetInt32(), Is.EqualTo(640));
        Assert.That(stream.GetProperty("height").GetInt32(), Is.EqualTo(480));
        Assert.That(stream.GetProperty("frameRate").GetDouble(), Is.EqualTo(24));
        Assert.That(stream.GetProperty("bitrateKbps").GetInt32(), Is.EqualTo(800));
        Assert.That(root.GetProperty("cameraLive").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("cameraRestarts").GetInt64(), Is.Zero);
        Assert.That(root.GetProperty("viewers").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("picturesSkipped").GetInt64(), Is.Zero);
        Assert.That(root.GetProperty("viewersClosedTooSlow").GetInt64(), Is.Zero);

        var outputs = root.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.That(outputs.Keys, Is.EquivalentTo(new[] { "video", "stream.mpg", "stream.mjpg" }));
        var video = outputs["video"];
        Assert.That(video.GetProperty("viewers").GetInt32(), Is.EqualTo(1));
        Assert.That(video.GetProperty("picturesSent").GetInt64(), Is.GreaterThanOrEqualTo(24));
        Assert.That(video.GetProperty("bytesSent").GetInt64(), Is.GreaterThan(0));
        var timed = video.GetProperty("timedPictures").GetInt64();
        Assert.That(timed, Is.GreaterThanOrEqualTo(24));
        Assert.That(video.GetProperty("pictureAgeSecondsTotal").GetDouble() / timed, Is.GreaterThan(0).And.LessThan(0.5));

        var encoders = root.GetProperty("encoders").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.That(encoders.Keys, Is.EquivalentTo(new[] { "mpeg1", "jpeg" }));
        Assert.That(encoders["mpeg1"].GetProperty("picturesEncoded").GetInt64(), Is.GreaterThanOrEqualTo(24));
        Assert.That(encoders["mpeg1"].GetProperty("bytesEncoded").GetInt64(), Is.GreaterThan(0));
        Assert.That(encoders["mpeg1"].GetProperty("restarts").GetInt64(), Is.Zero);
        Assert.That(encoders["mpeg1"].TryGetProperty("framesDropped", out _), Is.True);

        var process = root.GetProperty("process");
        Assert.That(process.GetProperty("cpuSeconds").GetDouble(), Is.GreaterThan(0));
        Assert.That(process.GetProperty("memoryBytes").GetInt64(), Is.GreaterThan(10_000_000));
    }

    [Test]
    public async Task Status_page_is_served_with_a_policy_that_lets_it_fetch_only_its_own_origin()
    {
        using var response = await http.GetAsync("/status.html");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/html; charset=utf-8"));
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.That(policy, Does.Contain("default-src 'none'").And.Contain("connect-src 'self'").And.Contain("script-src 'self' 'sha256-"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("<canvas id=\"graph\""));
    }

    // Before the first picture sent to a video viewer, there is no sample yet.
    private static double CountBefore(PrometheusText before, string name) =>
        before.Samples.Any(s => s.Name == name && s.Labels.GetValueOrDefault("output") == "video") ? before.Value(name, ("output", "video")) : 0;

    private async Task<PrometheusText> ScrapeAsync() => PrometheusText.Parse(await http.GetStringAsync("/metrics"));
}
