using CliWrap;
using Microsoft.Extensions.Logging;

namespace PiStreaming.Processes;

/// <summary>
/// A program's stderr, line by line into the log (CliWrap's line pump), keeping the last line: usually
/// why it failed. After the program has been killed its stderr normally ends at once; a process it
/// left behind (outside its tree) may hold it open for ever, so the pump is then given
/// <see cref="Drain"/> and abandoned.
/// </summary>
internal sealed class StandardErrorLog(string program, ILogger logger) : IDisposable
{
    public static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource abandon = new();
    private volatile string lastLine = "";
    private int ending;

    public string LastLine => lastLine;

    // CliWrap's cancellation would end the pump at the kill, before the program's last words.
    public PipeTarget Target => PipeTarget.Create((source, _) => PumpAsync(source));

    /// <summary>Gives the pump its last <see cref="Drain"/> to read, unless already given.</summary>
    public void End()
    {
        if (Interlocked.Exchange(ref ending, 1) == 0)
        {
            try
            {
                abandon.CancelAfter(Drain);
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile (KillAll racing the orderly stop): the pump has ended.
            }
        }
    }

    public void Dispose() => abandon.Dispose();

    private async Task PumpAsync(Stream source)
    {
        try
        {
            await PipeTarget.ToDelegate(Log).CopyFromAsync(source, abandon.Token);
        }
        catch (OperationCanceledException)
        {
            // Abandoned: a process left behind holds stderr open.
        }
    }

    private void Log(string line)
    {
        if (line.Length == 0)
        {
            return;
        }

        lastLine = line;
        logger.LogInformation("{Program}: {Line}", Path.GetFileName(program), line);
    }
}
