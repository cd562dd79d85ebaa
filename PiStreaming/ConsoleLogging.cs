using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace PiStreaming;

/// <summary>One short line per event on stderr (stdout stays free for piping).</summary>
public static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel level = LogLevel.Information) =>
        LoggerFactory.Create(logging => logging
            .SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            // Start-up failures (a port in use) are reported by the program in one line.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.IncludeScopes = false;
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
