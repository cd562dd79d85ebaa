using System.Diagnostics;

namespace PiStreaming.Tests.Support;

/// <summary>A program run to its end, e.g. an installer or systemd-analyze: its exit code and what it wrote.</summary>
internal sealed record Command(int ExitCode, string Output, string Error)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public static async Task<Command> RunAsync(string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not end within {Limit.TotalSeconds} s");
        }

        return new Command(process.ExitCode, await output, await error);
    }

    public override string ToString() => $"exit code {ExitCode}; stdout: {Output}; stderr: {Error}";
}
