namespace PiStreaming;

/// <summary>Files and directories only the server's user may read: credentials, keys, certificates.</summary>
internal static class PrivateFiles
{
    /// <summary>
    /// Writes a file atomically with permissions 0600: into a new file beside it, flushed to disk, then renamed
    /// over it (a reader sees the old file or the new one, never half of one).
    /// </summary>
    /// <exception cref="IOException">and <see cref="UnauthorizedAccessException"/>: it cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // gone already after the rename
        }
    }

    /// <summary>Creates a directory with permissions 0700 unless it exists.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
