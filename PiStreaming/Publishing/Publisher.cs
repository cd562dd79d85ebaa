using Microsoft.Extensions.Logging;
using PiStreaming.Fanout;
using PiStreaming.Processes;

namespace PiStreaming.Publishing;

/// <summary>
/// Pushes the stream to one media server (--publish) through a child ffmpeg that copies it into the
/// target's container: nothing is encoded a second time. The publisher watches the
/// <see cref="Broadcaster"/> like any viewer, so it starts at an I picture, and a media server that
/// is slow or stuck only ever makes its own outbox skip ahead, never the camera or the other viewers.
/// When ffmpeg fails (the server is down, refuses, or drops the connection) it is started again after a
/// <see cref="RetryBackoff"/> delay, with one log line per failure.
/// </summary>
/// <param name="stream">the broadcaster of the stream to push, whose pictures are <paramref name="codec"/>.</param>
internal sealed class Publisher(PublishTarget target, Broadcaster stream, PublishedCodec codec, string ffmpegPath, double frameRate, TimeProvider time, ILogger logger)
{
    /// <summary>A write ffmpeg does not take within this long means the media server is stuck: ffmpeg is restarted.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ExitDescriptionWait = TimeSpan.FromMilliseconds(500);

    /// <summary>Publishes until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(time);
        var connected = false;
        while (true)
        {
            string failure;
            try
            {
                failure = await PublishOnceAsync(backoff, () =>
                {
                    if (!connected)
                    {
                        connected = true;
                        logger.LogInformation("publishing {Codec} to {Target}", codec == PublishedCodec.H264 ? "H.264" : "MPEG-1", target);
                    }
                }, cancellationToken);
            }
            catch (ChildProcessException e)
            {
                failure = e.Message;
            }

            connected = false;
            if (!await backoff.WaitAfterFailureAsync(
                    delay => logger.LogWarning("publishing to {Target} failed: {Reason}; trying again in {Seconds} s (viewers are not affected)", target, failure,
                        delay.TotalSeconds), cancellationToken))
            {
                return;
            }
        }
    }

    /// <returns>why this attempt ended (when stopped, the caller sees the token and ignores it).</returns>
    private async Task<string> PublishOnceAsync(RetryBackoff backoff, Action wrote, CancellationToken cancellationToken)
    {
        await using var ffmpeg = ChildProcess.Start(ffmpegPath, PublishArguments.For(target, codec, frameRate), logger);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // ffmpeg ends by itself when the media server refuses or goes away, whether or not pictures are flowing.
        var exited = ffmpeg.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => attempt.Cancel(), TaskScheduler.Default);
        var draining = ffmpeg.StandardOutput.CopyToAsync(Stream.Null, CancellationToken.None);
        var viewer = new Viewer(0, target.Redacted, "publish", time.GetTimestamp());
        string? failure = null;
        try
        {
            await stream.WatchAsync(viewer, async outbox =>
            {
                while (await outbox.WaitAsync(attempt.Token))
                {
                    while (outbox.TryTake(out var next))
                    {
                        // Whole pictures as encoded, with the sequence header (or SPS and PPS) before every I picture, which
                        // players joining at the media server need; the browsers' low-latency cut leaves those out.
                        failure = await WriteAsync(ffmpeg, next.Picture.Picture.Data, attempt.Token);
                        if (failure is not null)
                        {
                            return;
                        }

                        backoff.Working();
                        wrote();
                    }
                }

                failure = "the media server could not keep up with the stream";
            });
        }
        catch (OperationCanceledException) when (attempt.IsCancellationRequested)
        {
        }
        finally
        {
            ffmpeg.Kill();
            await exited;
            await draining.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return failure ?? Describe(ffmpeg);
    }

    private static async Task<string?> WriteAsync(ChildProcess ffmpeg, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        using var stuck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stuck.CancelAfter(StuckAfter);
        try
        {
            await ffmpeg.StandardInput.WriteAsync(message, stuck.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"ffmpeg took nothing for {StuckAfter.TotalSeconds:0} s (the media server is stuck)";
        }
        catch (IOException)
        {
            using var wait = new CancellationTokenSource(ExitDescriptionWait);
            await ffmpeg.WaitForExitAsync(wait.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return Describe(ffmpeg);
        }
    }

    private static string Describe(ChildProcess ffmpeg) =>
        ffmpeg.HasExited
            ? $"ffmpeg exited with code {ffmpeg.ExitCode}{(ffmpeg.LastErrorLine.Length > 0 ? ": " + ffmpeg.LastErrorLine : "")}"
            : "ffmpeg stopped";
}
