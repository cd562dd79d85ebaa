using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class AbandonableReadStreamTests
{
    [Test]
    public async Task A_read_the_stream_underneath_would_never_end_returns_at_once_when_cancelled()
    {
        using var stop = new CancellationTokenSource();
        using var stream = new AbandonableReadStream(new NeverEndingReads());

        var read = stream.ReadAsync(new byte[16], stop.Token).AsTask();
        Assert.That(read.IsCompleted, Is.False);
        await stop.CancelAsync();

        Assert.That(async () => await read.WaitAsync(TimeSpan.FromSeconds(5)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Reads_pass_through()
    {
        using var stream = new AbandonableReadStream(new MemoryStream([1, 2, 3]));
        var buffer = new byte[8];

        Assert.That(await stream.ReadAsync(buffer, CancellationToken.None), Is.EqualTo(3));
        Assert.That(buffer[..3], Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    /// <summary>Like a terminal nobody types into: reads block and ignore cancellation.</summary>
    private sealed class NeverEndingReads : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(new TaskCompletionSource<int>().Task);
    }
}
