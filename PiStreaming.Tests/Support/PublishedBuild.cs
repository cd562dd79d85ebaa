using System.Diagnostics;

namespace PiStreaming.Tests.Support;

/// <summary>`./build.sh publish RID`, as a user runs it, and what the published executable is.</summary>
internal static class PublishedBuild
{
    public const ushort ElfMachineX86_64 = 0x3E;
    public const ushort ElfMachineAarch64 = 0xB7;

    /// <summary>Runs `./build.sh publish RID` and returns the folder it printed.</summary>
    /// <param name="limit">how long the publish may take (Native AOT takes minutes on 2 busy cores).</param>
    public static async Task<string> PublishAsync(string rid, TimeSpan limit)
    {
        var root = Repository.Root();
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        startInfo.ArgumentList.Add(Path.Combine(root, "build.sh"));
        startInfo.ArgumentList.Add("publish");
        startInfo.ArgumentList.Add(rid);
        // No build servers or reused nodes outlive the publish holding its output open.
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        startInfo.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        startInfo.Environment["UseSharedCompilation"] = "false";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using (var cancel = new CancellationTokenSource(limit))
        {
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"./build.sh publish {rid} took over {limit.TotalMinutes} min");
            }
        }

        Assert.That(process.ExitCode, Is.Zero, $"./build.sh publish {rid}:\n{await errors}");
        TestContext.Progress.WriteLine($"./build.sh publish {rid}: {clock.Elapsed.TotalSeconds:F1} s");
        var folder = (await output).Trim();
        Assert.That(folder, Is.EqualTo(Path.Combine(root, "artifacts", "publish", rid)), "the folder it prints");
        return folder;
    }

    /// <summary>e_machine of an ELF file: the CPU it is for.</summary>
    public static ushort ElfMachine(string path)
    {
        var header = new byte[20];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(header);
        }

        Assert.That(header[..4], Is.EqualTo(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), $"{path} is not an ELF file");
        return BitConverter.ToUInt16(header, 18);
    }
}
