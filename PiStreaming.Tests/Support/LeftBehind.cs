using System.Diagnostics;

namespace PiStreaming.Tests.Support;

/// <summary>
/// A process that a fake helper program (camera tool, ffmpeg) leaves behind outside its process tree,
/// like a wrapper script's stray child: it holds the program's stdout and stderr open after the program
/// is killed. Its pid goes to a file so the test can end it.
/// </summary>
internal static class LeftBehind
{
    /// <summary>Shell lines that start it (a subshell's background child, so it is reparented away from the tree).</summary>
    public static string Script(string pidFile) => $"( sleep 600 & echo $! > '{pidFile}' )";

    public static void Kill(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }
}
