using System.Diagnostics;

namespace PiStreaming.Benchmarks;

/// <summary>
/// One build of the server to benchmark: a PiStreaming.dll (run with <c>dotnet</c>) or a published executable,
/// with the environment variables it runs with (e.g. runtime settings to try).
/// </summary>
internal sealed record ServerBuild(string Name, string Program, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The server built beside the benchmarks (./build.sh build).</summary>
    public static ServerBuild Current { get; } = new("new", Path.Combine(AppContext.BaseDirectory, "PiStreaming.dll"), new Dictionary<string, string>());

    /// <summary>A process start for the server, its arguments still to add; every stream redirected.</summary>
    public ProcessStartInfo StartInfo()
    {
        var runsOnDotnet = Program.EndsWith(".dll", StringComparison.Ordinal);
        var startInfo = new ProcessStartInfo(runsOnDotnet ? "dotnet" : Program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (runsOnDotnet)
        {
            startInfo.ArgumentList.Add(Program);
        }

        foreach (var (name, value) in Environment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }
}
