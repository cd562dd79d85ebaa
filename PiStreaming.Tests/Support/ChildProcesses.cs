namespace PiStreaming.Tests.Support;

/// <summary>The helper programs an in-process server has started: children of this test process.</summary>
internal static class ChildProcesses
{
    /// <summary>How many children of this process have <paramref name="text"/> in their command line (e.g. "mjpeg").</summary>
    public static int CountWith(string text) =>
        ServerProcess.ChildrenOf(Environment.ProcessId)
            .Count(pid => ServerProcess.CommandLineOf(pid).Contains(text, StringComparison.Ordinal) && ServerProcess.IsAlive(pid));
}
