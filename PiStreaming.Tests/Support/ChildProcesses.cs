namespace PiStreaming.Tests.Support;

/// <summary>The helper programs an in-process server has started: children of this test process.</summary>
internal static class ChildProcesses
{
    /// <summary>How many children of this process have <paramref name="text"/> in their command line (e.g. "mjpeg").</summary>
    public static int CountWith(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Count(pid => pid > 0 && ParentOf(pid) == Environment.ProcessId && ServerProcess.CommandLineOf(pid).Contains(text, StringComparison.Ordinal)
                && ServerProcess.IsAlive(pid));

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
