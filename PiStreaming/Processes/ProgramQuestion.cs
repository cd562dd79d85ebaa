using CliWrap;
using CliWrap.Buffered;

namespace PiStreaming.Processes;

/// <summary>
/// A short question to a helper program (ffmpeg), asked once at start: run to its end within a time limit,
/// its output buffered. Any exit code is an answer; the caller reads it.
/// </summary>
internal static class ProgramQuestion
{
    /// <returns>its exit code and output; null when it is missing, cannot start, or gives no answer within <paramref name="patience"/>.</returns>
    public static async Task<BufferedCommandResult?> AskAsync(string program, IReadOnlyList<string> arguments, TimeSpan patience,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(patience);
        try
        {
            return await Cli.Wrap(program)
                .WithArguments(arguments)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException)
        {
            return null;
        }
    }
}
