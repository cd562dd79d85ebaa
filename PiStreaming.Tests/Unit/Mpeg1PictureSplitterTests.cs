using PiStreaming.Encoding;
using PiStreaming.Fanout;
using PiStreaming.Options;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Unit;

/// <summary>A relay cuts what its origin sends back into the encoder's pictures, whatever pieces it arrives in.</summary>
internal class Mpeg1PictureSplitterTests
{
    [Test]
    public async Task Whole_pictures_in_pieces_of_any_size_come_out_as_the_encoder_wrote_them([Values(1, 7, 1000, 100_000)] int pieceBytes)
    {
        var pictures = await RealPictures.GetAsync();
        var stream = pictures.SelectMany(p => p.Data.ToArray()).ToArray();

        var found = Split(stream, pieceBytes);

        // The last picture is complete only when something follows it.
        Assert.That(found.Select(p => p.Data.ToArray()), Is.EqualTo(pictures.SkipLast(1).Select(p => p.Data.ToArray())));
    }

    [Test]
    public async Task What_a_watching_viewer_gets_in_low_latency_mode_becomes_join_points_again()
    {
        var pictures = await RealPictures.GetAsync();
        var framed = pictures.Select(p => FramedPicture.Create(p, LatencyMode.Low)).ToList();
        // A viewer that started at the first picture: the first one whole, then each cut four bytes later, without the repeated headers.
        var messages = framed[0].JoinMessages.Concat(framed.Skip(1).Select(f => f.Message));
        var stream = messages.SelectMany(m => m.ToArray()).ToArray();

        var found = Split(stream, 4096);

        // Each message ends with the next picture's start code, so even the last picture is known to be complete.
        Assert.That(found.Select(p => p.Type), Is.EqualTo(pictures.Select(p => p.Type)));
        Assert.That(found.Where(p => p.Type == PictureType.I).Select(p => p.IsJoinPoint).ToList(), Is.EqualTo(new[] { true, true, true, true }),
            "every I picture has its sequence header in front again");
        var decoded = await FfmpegProbe.DecodeAsync(found.Skip(12).SelectMany(p => p.Data.ToArray()).ToArray());
        Assert.That((decoded.Width, decoded.Height, decoded.Frames, decoded.Errors), Is.EqualTo((160, 120, pictures.Count - 12, "")),
            "a decoder starting at a later I picture decodes every picture");
    }

    [Test]
    public async Task The_sequence_header_tells_size_and_rate()
    {
        var pictures = await RealPictures.GetAsync();
        Assert.That(SequenceHeader.Find(pictures[0].Data.Span), Is.EqualTo(new SequenceHeader(new FrameFormat(160, 120), 24)));
        Assert.That(SequenceHeader.Find(pictures[1].Data.Span), Is.Null);
    }

    [Test]
    public void Bytes_without_picture_boundaries_are_refused()
    {
        var splitter = new Mpeg1PictureSplitter();
        var noise = new byte[1024 * 1024];
        Assert.That(() =>
        {
            for (var i = 0; i < 5; i++)
            {
                splitter.Append(noise, []);
            }
        }, Throws.InstanceOf<InvalidDataException>());
    }

    private static List<EncodedPicture> Split(byte[] stream, int pieceBytes)
    {
        var splitter = new Mpeg1PictureSplitter();
        var found = new List<EncodedPicture>();
        for (var at = 0; at < stream.Length; at += pieceBytes)
        {
            splitter.Append(stream.AsSpan(at, Math.Min(pieceBytes, stream.Length - at)), found);
        }

        return found;
    }
}
