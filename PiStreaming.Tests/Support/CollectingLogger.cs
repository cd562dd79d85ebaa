using Microsoft.Extensions.Logging;

namespace PiStreaming.Tests.Support;

/// <summary>A logger that keeps every message, for checking what the server says.</summary>
public sealed class CollectingLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add((logLevel, formatter(state, exception)));
}
