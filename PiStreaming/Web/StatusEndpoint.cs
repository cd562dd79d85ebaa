using System.Text.Json;
using System.Text.Json.Serialization;
using PiStreaming.Metrics;
using PiStreaming.Pipeline;

namespace PiStreaming.Web;

/// <summary>
/// GET /status: the facts of /metrics as one JSON object, for people and scripts (and the status page,
/// which polls it). Counts are since the start; the difference of two answers gives rates.
/// </summary>
internal sealed class StatusEndpoint(StreamDescription stream, JpegOutput jpeg, ServerMetrics metrics)
{
    public Task HandleAsync(HttpContext context)
    {
        var snapshot = metrics.Snapshot();
        var report = new StatusReport(snapshot.UptimeSeconds, stream, jpeg.CameraLive, snapshot.CameraRestarts, snapshot.Outputs.Sum(o => o.Viewers),
            snapshot.Outputs, snapshot.Encoders, snapshot.PicturesSkipped, snapshot.ViewersClosedTooSlow, snapshot.Process);
        var body = JsonSerializer.SerializeToUtf8Bytes(report, StatusJson.Default.StatusReport);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}

/// <summary>What /status answers.</summary>
/// <param name="Viewers">all outputs together; each output's own count is in <paramref name="Outputs"/>.</param>
internal sealed record StatusReport(
    double UptimeSeconds,
    StreamDescription Stream,
    bool CameraLive,
    long CameraRestarts,
    int Viewers,
    IReadOnlyList<OutputStatus> Outputs,
    IReadOnlyList<EncoderStatus> Encoders,
    long PicturesSkipped,
    long ViewersClosedTooSlow,
    ProcessStatus Process);

/// <summary>The JSON of /status, generated at build time (no reflection; ready for Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJson : JsonSerializerContext;
