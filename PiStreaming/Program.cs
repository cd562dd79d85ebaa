using System.Net;
using Microsoft.Extensions.Logging;
using PiStreaming;
using PiStreaming.Fanout;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Processes;
using PiStreaming.Relay;
using PiStreaming.Sources;
using PiStreaming.Web;

var parsed = ServerCommandLine.Create().Parse(args);
if (parsed.Errors.Count > 0)
{
    return Fail($"{parsed.Errors[0].Message} (see --help)");
}

if (!ServerCommandLine.Serves(parsed))
{
    return await parsed.InvokeAsync(); // --help, --version, or a user or token command
}

if (ServerCommandLine.WantsDeviceList(parsed))
{
    foreach (var line in VideoDevices.Describe(VideoDevices.List()))
    {
        Console.WriteLine(line);
    }

    return 0;
}

var options = ServerCommandLine.ToOptions(parsed);
var sourceSpec = SourceSpec.Parse(options.Source);
if (sourceSpec is { Kind: SourceKind.File, Target: { } videoFile })
{
    try
    {
        options = ServerCommandLine.WithFileDefaults(options, parsed, await VideoFileProbe.ProbeAsync(videoFile, CancellationToken.None));
    }
    catch (VideoProbeException e)
    {
        return Fail(e.Message);
    }
}

var ffmpeg = ExecutableLocator.Find("ffmpeg");
if (ffmpeg is null)
{
    return Fail(FfmpegEncoder.MissingMessage);
}

StaticAssets assets;
try
{
    assets = StaticAssets.Load(StaticAssets.DefaultDirectory);
}
catch (FileNotFoundException e)
{
    return Fail(e.Message);
}

// As well-kept servers do: every descriptor the system grants is one more connection the server can hold.
DescriptorLimit.RaiseSoftToHard();
var service = new ServiceNotifications();
using var loggers = ConsoleLogging.Create();
var log = loggers.CreateLogger("PiStreaming");
using var shutdown = new ShutdownSignal(TimeProvider.System);
using var deadline = new StopDeadline(loggers, TimeProvider.System);
ServerSecurity security;
try
{
    security = ServerSecurity.Load(options, loggers, TimeProvider.System);
}
catch (Exception e) when (e is PiStreaming.Access.CredentialsException or PiStreaming.Tls.TlsException)
{
    loggers.Dispose();
    return Fail(e.Message);
}

await using var securityInForce = security;
RelayOrigin? origin = null;
if (sourceSpec is { Kind: SourceKind.Relay, Target: { } originAddress })
{
    // A relay serves its origin's streams: it starts serving once it knows which they are, their size and rate.
    origin = await RelayOrigin.ReachAsync(new Uri(originAddress), TimeProvider.System, loggers.CreateLogger<RelayPipeline>(), shutdown.Requested);
    if (origin is null)
    {
        log.LogInformation("stopped");
        return 0;
    }

    if (origin.H264 is null && options.Publish.FirstOrDefault(t => !t.CarriesMpeg1) is { } rtmp)
    {
        await origin.DisposeAsync();
        loggers.Dispose();
        return Fail($"--publish {rtmp.Redacted}: RTMP (FLV) carries H.264 only, and the origin {origin.Name} offers no H.264 stream; "
            + "publish to srt://, rtsp:// or udp://, which carry MPEG-1 too");
    }
}

// A webcam that offers H.264 at the size asked gives it to the H.264 viewers as it is, when only H.264 is wanted.
WebcamInput? webcam = null;
if (sourceSpec is { Kind: SourceKind.V4l2, Target: { } device })
{
    webcam = WebcamInput.Choose(options, device, await WebcamFormatQuery.AskAsync(ffmpeg, device, CancellationToken.None));
    if (webcam.Why is { } why)
    {
        log.LogInformation("{Choice}", why);
    }
}

await using var source = origin is null ? FrameSourceFactory.Create(options, loggers, ffmpeg, webcam) : null;
if (source is not null && JsmpgPictureLimit.StartupWarning(options) is { } warning)
{
    log.LogWarning("{Warning}", warning);
}

// The Pi's hardware H.264 encoder where it works (Pi 4 and older), libx264 elsewhere; not needed when the camera encodes.
var h264Encoder = source is not null && options.Codec.HasH264() && !source.DeliversH264
    ? await H264EncoderProbe.FindAsync(ffmpeg, new FrameFormat(options.Width, options.Height), CancellationToken.None)
    : H264EncoderKind.Libx264;

StreamingServer server;
try
{
    server = origin is not null
        ? await StreamingServer.StartRelayAsync(options, origin, assets, ffmpeg, loggers, CancellationToken.None, security)
        : await StreamingServer.StartAsync(options, source!, assets, ffmpeg, loggers, CancellationToken.None, security, h264Encoder);
}
catch (IOException e)
{
    return Fail($"{e.Message.TrimEnd('.')} (choose other ports with --http-port and --ws-port)");
}

ExitStatus status;
await using (server)
{
    var host = options.Bind is null || options.Bind.Equals(IPAddress.Any) || options.Bind.Equals(IPAddress.IPv6Any)
        ? Dns.GetHostName()
        : options.Bind.ToString();
    var streamName = origin is not null ? $"relay of {origin.Name}" : source!.Name;
    if (origin is not null)
    {
        log.LogInformation("relaying {Origin} ({Streams}, {Format}, {Rate:0.##} fps), nothing re-encoded", origin.Name, origin.Describe(), origin.Format,
            origin.FrameRate);
    }
    else
    {
        log.LogInformation("streaming {Source} at {Width}x{Height}, {Rate} fps: {Streams}", source!.Name, options.Width, options.Height,
            options.FrameRate, string.Join(", ", new[]
            {
                !options.Codec.HasH264() ? null
                    : webcam is { PassesH264Through: true } ? "H.264 from the webcam (its own bitrate)"
                    : $"H.264 {options.H264BitrateKbps} kbit/s ({(source.DeliversH264 ? "from the camera" : h264Encoder == H264EncoderKind.V4l2m2m ? "h264_v4l2m2m, hardware" : "libx264, software")})",
                options.Codec.HasMpeg1() ? $"MPEG-1 {options.BitrateKbps} kbit/s" : null,
            }.OfType<string>()));
    }

    var scheme = security.Tls is null ? "http" : "https";
    log.LogInformation("open {Scheme}://{Host}:{HttpPort}/ (video WebSocket on port {WsPort}); Ctrl+C stops", scheme, host, server.HttpPort, server.WebSocketPort);
    service.Ready(origin is not null
        ? $"streaming {streamName} at {origin.Format}, {origin.FrameRate:0.##} fps on {scheme}://{host}:{server.HttpPort}/"
        : $"streaming {streamName} at {options.Width}x{options.Height}, {options.FrameRate} fps on {scheme}://{host}:{server.HttpPort}/");

    await Task.WhenAny(server.Completion, shutdown.Requested);
    service.Stopping();
    // A requested stop, or the source's end (a piped stream is complete), is a success.
    status = !shutdown.Requested.IsCompleted && server.Failure is { } failure ? ExitStatus.Failed(failure) : ExitStatus.Stopped;
    deadline.Start(status);
    await server.StopAsync();
}

if (status.Error is null)
{
    log.LogInformation("stopped");
}

deadline.Dispose();
loggers.Dispose(); // the log is complete before the error line
return status.Report();

static int Fail(string message) => ExitStatus.UsageError(message).Report();
