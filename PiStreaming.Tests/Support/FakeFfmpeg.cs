using PiStreaming.Processes;

namespace PiStreaming.Tests.Support;

/// <summary>
/// An ffmpeg of a test's making in a directory of its own, which <see cref="Environment"/> puts first
/// on the server's PATH: a script standing in for a broken ffmpeg, or a copy of the real one that the
/// test can take away while the server runs.
/// </summary>
internal sealed class FakeFfmpeg : IDisposable
{
    private readonly DirectoryInfo directory;

    private FakeFfmpeg(DirectoryInfo directory) => this.directory = directory;

    public string Path => System.IO.Path.Combine(directory.FullName, "ffmpeg");

    /// <summary>For a script that leaves a process behind: <c>LeftBehind.Script(fake.LeftBehindPidFile)</c>.</summary>
    public string LeftBehindPidFile => System.IO.Path.Combine(directory.FullName, "left-behind.pid");

    /// <summary>PATH with this directory first, for the server process.</summary>
    public IDictionary<string, string?> Environment =>
        new Dictionary<string, string?> { ["PATH"] = directory.FullName + System.IO.Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH") };

    /// <summary>An ffmpeg that runs the script <paramref name="script"/> makes (sh) instead of encoding.</summary>
    public static FakeFfmpeg Script(Func<FakeFfmpeg, string> script)
    {
        var fake = new FakeFfmpeg(Directory.CreateTempSubdirectory("pistreaming-fake-ffmpeg-"));
        File.WriteAllText(fake.Path, "#!/bin/sh\n# Stand-in for ffmpeg, written by a PiStreaming test.\n" + script(fake).ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(fake.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return fake;
    }

    /// <summary>A copy of the real ffmpeg.</summary>
    public static FakeFfmpeg CopyOfReal()
    {
        var real = ExecutableLocator.Find("ffmpeg");
        Assert.That(real, Is.Not.Null, "ffmpeg is installed");
        var fake = new FakeFfmpeg(Directory.CreateTempSubdirectory("pistreaming-ffmpeg-copy-"));
        File.Copy(real!, fake.Path);
        return fake;
    }

    /// <summary>Takes the program away, like an uninstall while the server runs.</summary>
    public void Remove() => File.Delete(Path);

    public void Dispose()
    {
        LeftBehind.Kill(LeftBehindPidFile);
        directory.Delete(recursive: true);
    }
}
