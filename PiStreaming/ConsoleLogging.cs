using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace PiStreaming;

/// <summary>
/// One short line per event on stderr (stdout stays free for piping): time, level if not info, message.
/// Under systemd, whose journal stamps the time itself, each line starts with its syslog level instead
/// (<c>&lt;6&gt;</c> for information, <c>&lt;4&gt;</c> warning, <c>&lt;3&gt;</c> error: the console logger's systemd formatter),
/// so `journalctl -p warning` finds the warnings.
/// </summary>
internal static class ConsoleLogging
{
    /// <summary>stderr goes to systemd's journal (systemd sets JOURNAL_STREAM for a service's output).</summary>
    public static bool ToJournal { get; } = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));

    public static ILoggerFactory Create(LogLevel level = LogLevel.Information) =>
        LoggerFactory.Create(logging => logging
            .SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            // Start-up failures (a port in use) are reported by the program in one line.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            // Its warning that the cookie keys are stored unencrypted: they are, in a directory only the server's user can read.
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
            // Registers the systemd formatter, and picks it: the choice below comes later, so it wins.
            .AddSystemdConsole(o => o.IncludeScopes = false)
            .AddConsoleFormatter<BriefFormatter, ConsoleFormatterOptions>()
            .AddConsole(o =>
            {
                o.FormatterName = ToJournal ? ConsoleFormatterNames.Systemd : BriefFormatter.Name;
                o.LogToStandardErrorThreshold = LogLevel.Trace;
            }));

    private sealed class BriefFormatter() : ConsoleFormatter(Name)
    {
        public new const string Name = "brief";

        public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
        {
            var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
            var level = logEntry.LogLevel switch
            {
                LogLevel.Warning => "warning: ",
                LogLevel.Error or LogLevel.Critical => "error: ",
                _ => "",
            };
            textWriter.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss.fff} {level}{message}");
        }
    }
}
