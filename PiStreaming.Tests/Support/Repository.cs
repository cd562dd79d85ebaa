namespace PiStreaming.Tests.Support;

/// <summary>The repository the tests were built from: the folder holding PiStreaming.sln above the test binaries.</summary>
internal static class Repository
{
    /// <summary>The repository's root, or null when the test binaries are not inside one.</summary>
    public static string? FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PiStreaming.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName;
    }

    /// <summary>The repository's root; fails the test when there is none.</summary>
    public static string Root()
    {
        var root = FindRoot();
        Assert.That(root, Is.Not.Null, $"no PiStreaming.sln above {AppContext.BaseDirectory}");
        return root!;
    }
}
