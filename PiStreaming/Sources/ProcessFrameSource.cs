using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PiStreaming.Processes;

namespace PiStreaming.Sources;

/// <summary>
/// Frames from a helper program's stdout (a camera tool, or ffmpeg reading a webcam or a file).
/// When the program is missing, fails or ends, this says so in one log line and starts it again
/// after a backoff, for ever: the frames simply pause, so the encoder and the viewers carry on and
/// video resumes when the camera comes back.
/// </summary>
internal sealed class ProcessFrameSource(CameraCommand command, TimeProvider time, ILogger<ProcessFrameSource> logger) : IFrameSource
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(1);

    // A camera that hangs without exiting would freeze the video for good, so a silence this long
    // counts as a failure (longer before the first frame: cameras take a moment to start).
    private static readonly TimeSpan FirstFrameTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(5);

    private long restarts;

    public string Name => command.Name;
    public bool FlipsFrames => command.FlipsFrames;
    public long Restarts => Interlocked.Read(ref restarts);

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var backoff = new RetryBackoff(time);
        var everDelivered = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            string problem;
            var process = Start(out var startProblem);
            if (process is null)
            {
                problem = startProblem;
            }
            else
            {
                await using (process)
                {
                    // A stop or a stall kills the program and ends the pending read on its stdout (which a
                    // process it left behind may still hold open).
                    using var stop = cancellationToken.Register(process.Kill);
                    using var silence = new CancellationTokenSource(FirstFrameTimeout, time);
                    using var stall = silence.Token.Register(process.Kill);
                    using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, silence.Token);
                    var reader = new FrameReader(process.StandardOutput, command.Layout);
                    while (await ReadOrStopAsync(reader, reading.Token) is { } frame)
                    {
                        silence.CancelAfter(StallTimeout);
                        if (reader.FramesRead == 1)
                        {
                            backoff.Working();
                            logger.LogInformation("{Source}: {What} ({Layout})", Name, everDelivered ? "video resumed" : "receiving frames", command.Layout);
                            everDelivered = true;
                        }

                        yield return frame;
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        yield break;
                    }

                    var stalledFor = silence.IsCancellationRequested ? (reader.FramesRead == 0 ? FirstFrameTimeout : StallTimeout) : (TimeSpan?)null;
                    problem = await DescribeStopAsync(process, reader, stalledFor, cancellationToken);
                }
            }

            if (!await backoff.WaitAfterFailureAsync(delay => logger.LogError("{Problem}; retrying in {Seconds} s", problem, delay.TotalSeconds), cancellationToken))
            {
                yield break;
            }

            Interlocked.Increment(ref restarts);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private ChildProcess? Start(out string problem)
    {
        problem = "";
        var program = command.Programs.Select(ExecutableLocator.Find).FirstOrDefault(found => found is not null);
        if (program is null)
        {
            problem = $"{Name}: {command.WhenMissing}";
            return null;
        }

        try
        {
            var process = ChildProcess.Start(program, command.Arguments, logger);
            // Nothing to say to it; closing stdin also keeps it off the server's terminal.
            process.StandardInput.Dispose();
            return process;
        }
        catch (ChildProcessException e)
        {
            problem = $"{Name}: {e.Message}. {command.WhenStopped}";
            return null;
        }
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadOrStopAsync(FrameReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return null;
        }
    }

    /// <param name="stalledFor">set when the program was killed for sending nothing for that long.</param>
    private async Task<string> DescribeStopAsync(ChildProcess process, FrameReader reader, TimeSpan? stalledFor, CancellationToken cancellationToken)
    {
        // Its stdout has ended: let it exit (or kill it, at once on a stop) so that its exit code and last words are known.
        await process.StopAsync(ExitWait, cancellationToken);

        var program = Path.GetFileName(process.Name);
        var how = stalledFor is { } silence
            ? $"{program} sent nothing for {silence.TotalSeconds:0} s and was stopped"
            : $"{program} exited with code {process.ExitCode}";
        var lastWords = process.LastErrorLine.Length > 0 ? $" ({process.LastErrorLine})" : "";
        var torn = reader.TornFrameBytes > 0 ? $"; its last frame was cut short ({reader.TornFrameBytes} of {command.Layout.StoredFrameSize} bytes, dropped)" : "";
        var when = reader.FramesRead > 0 ? $"stopped after {reader.FramesRead} frames" : "delivered no frames";
        return $"{Name} {when}: {how}{lastWords}{torn}. {command.WhenStopped}";
    }
}
