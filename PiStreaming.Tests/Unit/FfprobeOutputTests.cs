using System.Text.Json;
using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class FfprobeOutputTests
{
    [Test]
    public void Reads_the_first_streams_size_and_rates_from_ffprobes_json()
    {
        const string json = """
            {
                "programs": [],
                "stream_groups": [],
                "streams": [
                    { "width": 1280, "height": 720, "r_frame_rate": "60000/1001", "avg_frame_rate": "30000/1001" }
                ]
            }
            """;

        var output = JsonSerializer.Deserialize(json, FfprobeJson.Default.FfprobeOutput)!;

        Assert.That(output.Streams, Has.Count.EqualTo(1));
        Assert.That((output.Streams![0].Width, output.Streams[0].Height), Is.EqualTo((1280, 720)));
        Assert.That(output.Streams[0].FrameRate, Is.EqualTo(30000.0 / 1001));
    }

    [Test]
    public void What_ffprobe_prints_for_a_file_it_cannot_read_has_no_streams() =>
        Assert.That(JsonSerializer.Deserialize("{\n\n}\n", FfprobeJson.Default.FfprobeOutput)!.Streams, Is.Null);

    [TestCase("25/1", "50/1", 25.0)]
    [TestCase("0/0", "25/1", 25.0)]
    [TestCase(null, "24000/1001", 24000.0 / 1001)]
    [TestCase("0/0", "0/0", null)]
    [TestCase("N/A", null, null)]
    [TestCase("25", null, null)]
    public void The_rate_is_the_average_else_the_base_rate(string? average, string? baseRate, double? rate) =>
        Assert.That(new FfprobeStream(320, 240, average, baseRate).FrameRate, Is.EqualTo(rate));
}
