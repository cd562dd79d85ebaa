using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PiStreaming.Processes;

namespace PiStreaming.Encoding;

/// <summary>One background ffmpeg process: raw frames (or the camera's H.264) in, encoded pictures (MPEG-1, H.264 or JPEG) out.</summary>
internal sealed class FfmpegEncoder : IAsyncDisposable
{
    /// <summary>How long one frame may wait for ffmpeg to take it before the encoder counts as stuck.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(3);

    /// <summary>What to tell a user whose machine has no ffmpeg.</summary>
    public const string MissingMessage = "ffmpeg not found on PATH; install it with: sudo apt install ffmpeg";

    // Once ffmpeg has exited or been killed its output ends at once, unless a process it left behind
    // still holds it: reading is then given up after this long.
    private static readonly TimeSpan OutputDrain = TimeSpan.FromMilliseconds(200);

    private readonly ChildProcess process;
    private readonly CancellationTokenSource outputAbandoned = new();

    private FfmpegEncoder(ChildProcess process) => this.process = process;

    /// <summary>Why ffmpeg stopped, from its exit code and last stderr line.</summary>
    private string FailureDescription =>
        process.HasExited
            ? $"ffmpeg exited with code {process.ExitCode}{(process.LastErrorLine.Length > 0 ? ": " + process.LastErrorLine : "")}"
            : "ffmpeg stopped producing output";

    /// <summary>Starts the MPEG-1 encoder.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started.</exception>
    public static FfmpegEncoder Start(EncoderSettings settings, ILogger logger) =>
        Start(settings.FfmpegPath, FfmpegArguments.For(settings), settings.Format, logger);

    /// <summary>Starts ffmpeg with these arguments: raw frames of <paramref name="format"/> on stdin, one multipart packet per encoded picture on stdout.</summary>
    /// <exception cref="ChildProcessException">ffmpeg cannot be started.</exception>
    public static FfmpegEncoder Start(string ffmpegPath, IEnumerable<string> arguments, FrameFormat format, ILogger logger) =>
        // Its stdin pipe holds a whole frame, so a frame goes in with one write.
        new(ChildProcess.Start(ffmpegPath, arguments, logger, inputPipeBytes: format.FrameSize));

    /// <summary>Hands one raw frame to ffmpeg.</summary>
    /// <exception cref="EncoderFailedException">ffmpeg has exited or took no input for <see cref="StuckAfter"/>.</exception>
    public async Task WriteFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        using var stuck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stuck.CancelAfter(StuckAfter);
        try
        {
            await process.StandardInput.WriteAsync(frame, stuck.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EncoderFailedException($"ffmpeg took no frame for {StuckAfter.TotalSeconds:0} s (stuck)");
        }
        catch (IOException)
        {
            throw new EncoderFailedException(await DescribeExitAsync());
        }
    }

    /// <summary>MPEG-1 pictures as ffmpeg writes them, until its output ends (or is given up after it stopped).</summary>
    public async IAsyncEnumerable<EncodedPicture> ReadPicturesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var packet in ReadPacketsAsync(cancellationToken))
        {
            yield return EncodedPicture.Parse(packet);
        }
    }

    /// <summary>Encoded packets (one picture each) as ffmpeg writes them, until its output ends (or is given up after it stopped).</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadPacketsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, outputAbandoned.Token);
        var reader = PipeReader.Create(process.StandardOutput, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                if (await ReadOrAbandonAsync(reader, reading.Token) is not { } result)
                {
                    yield break;
                }

                var buffer = result.Buffer;
                while (MultipartPacketParser.TryReadPacket(ref buffer, out var packet))
                {
                    yield return packet;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task<ReadResult?> ReadOrAbandonAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (outputAbandoned.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Ends ffmpeg's input so it writes what it holds and exits; kills it after <paramref name="timeout"/>.</summary>
    public async Task CompleteAsync(TimeSpan timeout)
    {
        try
        {
            await process.StandardInput.DisposeAsync();
        }
        catch (IOException)
        {
            // ffmpeg is already gone (it failed or was killed).
        }

        await process.StopAsync(timeout);
        outputAbandoned.CancelAfter(OutputDrain);
    }

    /// <summary>Kills ffmpeg at once (stopping, or it is stuck, failed, or its output is unusable).</summary>
    public void Kill()
    {
        process.Kill();
        outputAbandoned.CancelAfter(OutputDrain);
    }

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        outputAbandoned.Dispose();
    }

    private async Task<string> DescribeExitAsync()
    {
        // A broken pipe means ffmpeg is exiting; give it a moment so its exit code and last words are known.
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return FailureDescription;
    }
}

/// <summary>The encoder stopped working; the message says why.</summary>
internal sealed class EncoderFailedException(string message) : Exception(message);
