using Microsoft.Extensions.Logging;
using PiStreaming.Options;

namespace PiStreaming.Sources;

/// <summary>Turns the --source option into a frame source. New sources are added here.</summary>
public static class FrameSourceFactory
{
    public const string KnownSources = "testpattern, stdin";

    public static bool IsKnown(string source) => source is "testpattern" or "stdin";

    public static IFrameSource Create(ServerOptions options, ILoggerFactory loggers)
    {
        var format = new FrameFormat(options.Width, options.Height);
        return options.Source switch
        {
            "testpattern" => new TestPatternSource(format, options.FrameRate),
            "stdin" => new StreamFrameSource("standard input", format, Console.OpenStandardInput(), loggers.CreateLogger<StreamFrameSource>()),
            _ => throw new ArgumentException($"unknown source '{options.Source}' (known: {KnownSources})", nameof(options)),
        };
    }
}
