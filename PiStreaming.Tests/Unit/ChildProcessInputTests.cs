using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using PiStreaming.Processes;

namespace PiStreaming.Tests.Unit;

/// <summary>A real program's stdin through <see cref="ChildProcess.StandardInput"/>: `cat` and `true`.</summary>
public class ChildProcessInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Writes_arrive_whole_and_in_order_and_disposing_the_input_ends_the_program()
    {
        await using var cat = ChildProcess.Start("cat", [], NullLogger.Instance, inputPipeBytes: 640 * 480 * 3 / 2);
        var output = new MemoryStream();
        var reading = cat.StandardOutput.CopyToAsync(output);
        // Bigger than the pipe, so some writes wait for cat to read.
        var chunks = Enumerable.Range(0, 5).Select(_ => RandomNumberGenerator.GetBytes(700_000)).ToList();

        foreach (var chunk in chunks)
        {
            await cat.StandardInput.WriteAsync(chunk).AsTask().WaitAsync(Patience);
        }

        await cat.StandardInput.DisposeAsync();
        await cat.WaitForExitAsync(CancellationToken.None).WaitAsync(Patience);
        await reading.WaitAsync(Patience);

        Assert.That(cat.ExitCode, Is.Zero, "cat saw the end of its input");
        Assert.That(output.ToArray(), Is.EqualTo(chunks.SelectMany(c => c).ToArray()));
    }

    [Test]
    public async Task A_write_after_the_program_has_exited_is_an_io_error()
    {
        await using var program = ChildProcess.Start("true", [], NullLogger.Instance);
        await program.WaitForExitAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.That(async () => await program.StandardInput.WriteAsync(new byte[100_000]), Throws.InstanceOf<IOException>());
    }

    [Test]
    public async Task A_cancelled_write_throws_cancellation_and_leaves_the_program_running()
    {
        // sleep never reads: the write fills the pipe and waits.
        await using var sleeper = ChildProcess.Start("sleep", ["30"], NullLogger.Instance);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await sleeper.StandardInput.WriteAsync(new byte[4 * 1024 * 1024], cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(sleeper.HasExited, Is.False);
    }
}
