using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class FrameReaderTests
{
    private static readonly FrameFormat Format = new(4, 2);

    [Test]
    public async Task Reads_whole_frames_even_when_bytes_arrive_in_odd_pieces()
    {
        var frames = Enumerable.Range(1, 3).Select(n => Enumerable.Repeat((byte)n, Format.FrameSize).ToArray()).ToArray();
        var reader = new FrameReader(new TricklingStream(frames.SelectMany(f => f).ToArray(), chunk: 5), FrameLayout.Unpadded(Format));

        var read = new List<byte[]>();
        while (await reader.ReadAsync(CancellationToken.None) is { } frame)
        {
            read.Add(frame.ToArray());
        }

        Assert.That(read, Is.EqualTo(frames));
        Assert.That((reader.FramesRead, reader.TornFrameBytes), Is.EqualTo((3L, 0)));
    }

    [Test]
    public async Task A_torn_last_frame_ends_the_stream_and_is_counted_not_returned()
    {
        var bytes = new byte[Format.FrameSize * 2 + 5];
        var reader = new FrameReader(new MemoryStream(bytes), FrameLayout.Unpadded(Format));

        Assert.That(await reader.ReadAsync(CancellationToken.None), Is.Not.Null);
        Assert.That(await reader.ReadAsync(CancellationToken.None), Is.Not.Null);
        Assert.That(await reader.ReadAsync(CancellationToken.None), Is.Null);
        Assert.That(reader.TornFrameBytes, Is.EqualTo(5));
    }

    [Test]
    public async Task Padded_frames_come_out_without_padding()
    {
        // 4x2 picture in rows of 6 bytes: luma 2 rows, chroma 1 row each at 3 bytes.
        byte[] stored = [1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0, 9, 10, 0, 11, 12, 0];
        var reader = new FrameReader(new MemoryStream(stored), new FrameLayout(Format, 6));

        var frame = await reader.ReadAsync(CancellationToken.None);

        Assert.That(frame!.Value.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }));
    }

    /// <summary>A stream that hands out at most a few bytes per read, like a pipe under load.</summary>
    private sealed class TricklingStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
