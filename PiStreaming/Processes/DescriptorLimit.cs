using System.Runtime.InteropServices;

namespace PiStreaming.Processes;

/// <summary>
/// The process's limit on open file descriptors (RLIMIT_NOFILE), which bounds how many connections it
/// can hold. Well-kept servers raise the soft limit to the hard one at start; so does this one.
/// </summary>
internal static class DescriptorLimit
{
    private const int RlimitNofile = 7; // Linux, every architecture
    /// <summary>Raises the soft limit to the hard one, where allowed; returns the soft limit now in force.</summary>
    public static long RaiseSoftToHard()
    {
        if (!OperatingSystem.IsLinux() || GetRlimit(RlimitNofile, out var limit) != 0)
        {
            return long.MaxValue;
        }

        if (limit.Soft != limit.Hard)
        {
            var raised = limit with { Soft = limit.Hard };
            if (SetRlimit(RlimitNofile, in raised) == 0)
            {
                limit = raised;
            }
        }

        return ToLong(limit.Soft);
    }

    /// <summary>The soft limit in force (long.MaxValue when unlimited or unknown).</summary>
    public static long Current() =>
        OperatingSystem.IsLinux() && GetRlimit(RlimitNofile, out var limit) == 0 ? ToLong(limit.Soft) : long.MaxValue;

    /// <summary>Descriptors open now (the runtime keeps every loaded assembly open, so a started server holds ~170).</summary>
    public static int InUse() => OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : 0;

    private static long ToLong(nuint value) => (ulong)value >= long.MaxValue ? long.MaxValue : (long)value; // RLIM_INFINITY is all ones

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Rlimit(nuint Soft, nuint Hard);

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRlimit(int resource, out Rlimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRlimit(int resource, in Rlimit limit);
}
