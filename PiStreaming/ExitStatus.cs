namespace PiStreaming;

/// <summary>
/// How the program ends: 0 after a requested stop (or the end of a piped stream), 1 after a failure the
/// server cannot recover from, 2 for bad usage (options, ports, a missing ffmpeg at start), 130 for a
/// second stop signal. A failure is one line starting with "error:", never a stack trace.
/// </summary>
internal sealed record ExitStatus(int Code, string? Error = null)
{
    public const int FailedCode = 1;
    public const int UsageErrorCode = 2;
    public const int ImmediateExitCode = 130;

    public static readonly ExitStatus Stopped = new(0);

    public static ExitStatus Failed(string error) => new(FailedCode, error);

    public static ExitStatus UsageError(string error) => new(UsageErrorCode, error);

    /// <summary>Writes the error line, if any; returns the exit code.</summary>
    public int Report()
    {
        if (Error is not null)
        {
            // Under systemd, the journal files it as an error (syslog level 3).
            Console.Error.WriteLine($"{(ConsoleLogging.ToJournal ? "<3>" : "")}error: {Error}");
        }

        return Code;
    }
}
