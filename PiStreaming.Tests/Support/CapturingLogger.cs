using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PiStreaming.Tests.Support;

/// <summary>Keeps the log lines written to it, to check what the server reports.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
