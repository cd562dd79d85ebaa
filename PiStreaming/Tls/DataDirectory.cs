namespace PiStreaming.Tls;

/// <summary>
/// Where the server keeps what it makes for itself: the self-signed certificate (tls/) and the keys that sign
/// login cookies (keys/). Default: $XDG_DATA_HOME/pistreaming, else ~/.local/share/pistreaming, else ./data.
/// </summary>
internal static class DataDirectory
{
    public static string Default()
    {
        if (Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "pistreaming");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0 ? Path.Combine(home, ".local", "share", "pistreaming") : Path.GetFullPath("data");
    }

    /// <summary>Creates the directory (and a subdirectory) readable by its owner only, and checks it can be written.</summary>
    /// <returns>the full path of <paramref name="subdirectory"/>.</returns>
    /// <exception cref="TlsException">it cannot be created or written.</exception>
    public static string Prepare(string directory, string subdirectory)
    {
        var path = Path.GetFullPath(Path.Combine(directory, subdirectory));
        try
        {
            PrivateFiles.CreateDirectory(directory);
            PrivateFiles.CreateDirectory(path);
            var probe = Path.Combine(path, $".probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsException($"data directory {directory} cannot be used (--data-dir): {e.Message}");
        }
    }
}
