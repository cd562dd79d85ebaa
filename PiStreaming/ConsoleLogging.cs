using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace PiStreaming;

/// <summary>One short line per event on stderr (stdout stays free for piping): time, level if not info, message.</summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel level = LogLevel.Information) =>
        LoggerFactory.Create(logging => logging
            .SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            // Start-up failures (a port in use) are reported by the program in one line.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            // Its warning that the cookie keys are stored unencrypted: they are, in a directory only the server's user can read.
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
            .AddConsole(o =>
            {
                o.FormatterName = BriefFormatter.Name;
                o.LogToStandardErrorThreshold = LogLevel.Trace;
            })
            .AddConsoleFormatter<BriefFormatter, ConsoleFormatterOptions>());

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
