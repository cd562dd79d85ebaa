using Microsoft.Extensions.Logging.Abstractions;
using PiStreaming.Fanout;
using PiStreaming.Metrics;
using PiStreaming.Encoding;
using PiStreaming.Options;
using PiStreaming.Pipeline;
using PiStreaming.Sources;
using PiStreaming.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace PiStreaming.Tests.Integration;

public class StuckEncoderTests
{
    [Test]
    public async Task An_encoder_that_takes_no_frames_is_reported_and_restarted_without_blocking_the_source()
    {
        // Stands in for a hung ffmpeg: runs, but never reads its input.
        var directory = Directory.CreateTempSubdirectory("pistreaming-stuck-");
        var fakeFfmpeg = Path.Combine(directory.FullName, "ffmpeg");
        await File.WriteAllTextAsync(fakeFfmpeg, "#!/bin/sh\nexec sleep 600\n");
        File.SetUnixFileMode(fakeFfmpeg, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var format = new FrameFormat(640, 480);
            var settings = new EncoderSettings(format, Mpeg1FrameRate.For(24), 800, FfmpegPath: fakeFfmpeg);
            var options = new ServerOptions();
            using var metrics = new ServerMetrics(TimeProvider.System);
            var broadcaster = new Broadcaster(format, LatencyMode.Low, options.SlowViewers, 24, new ViewerActivityLog(NullLogger.Instance, TimeProvider.System),
                metrics, TimeProvider.System);
            var log = new FakeLogCollector();
            using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(log)));
            await using var pipeline = new StreamingPipeline(new TestPatternSource(format, 24), settings, TimeSpan.FromSeconds(1 / 24.0), 80,
                StreamingPipeline.DefaultLinger, new VideoStreams(broadcaster), metrics, TimeProvider.System, loggers);

            using var stop = new CancellationTokenSource(FfmpegEncoder.StuckAfter + TimeSpan.FromSeconds(3));
            await pipeline.RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(15));

            var records = log.GetSnapshot();
            Assert.That(records.Any(r => r.Level == LogLevel.Error && r.Message.Contains("stuck", StringComparison.Ordinal)),
                string.Join('\n', records.Select(r => $"{r.Level}: {r.Message}")));
            Assert.That(pipeline.DroppedFrames, Is.GreaterThan(24), "the camera went on; the frames the stuck encoder could not take were dropped");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
