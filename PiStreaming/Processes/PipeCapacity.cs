using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace PiStreaming.Processes;

/// <summary>
/// The kernel buffer of a pipe (64 KiB unless asked otherwise). A raw frame is several times that, so with the
/// default each frame crosses a pipe in many reads or writes, each a wake-up of a waiting thread; a pipe that
/// holds a whole frame (up to the system's pipe-max-size, 1 MiB by default) takes it in one.
/// </summary>
internal static class PipeCapacity
{
    public const int Default = 64 * 1024;

    private const int SetPipeSize = 1031; // F_SETPIPE_SZ, Linux
    private const string MaxSizeFile = "/proc/sys/fs/pipe-max-size";

    /// <summary>Grows the pipe under <paramref name="stream"/> towards <paramref name="bytes"/>; anything else (or a refusal) is left as it is.</summary>
    /// <returns>the pipe's capacity now, or null when it is not a pipe or was left alone.</returns>
    public static int? TryGrow(Stream stream, int bytes) =>
        stream is PipeStream { SafePipeHandle: { IsInvalid: false } handle } ? TryGrow(handle, bytes) : null;

    /// <inheritdoc cref="TryGrow(Stream, int)"/>
    public static int? TryGrow(SafeHandle handle, int bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes <= Default)
        {
            return null;
        }

        var granted = Fcntl(handle, SetPipeSize, Math.Min(bytes, MaxSize()));
        return granted > 0 ? granted : null;
    }

    private static int MaxSize()
    {
        try
        {
            return int.TryParse(File.ReadAllText(MaxSizeFile).Trim(), out var max) ? max : Default;
        }
        catch (IOException)
        {
            return Default;
        }
    }

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(SafeHandle descriptor, int command, int argument);
}
