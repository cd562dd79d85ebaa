using PiStreaming.Options;

namespace PiStreaming.Tests.Unit;

public class Mpeg1FrameRateTests
{
    [TestCase(24, "24")]
    [TestCase(23.976, "24000/1001")]
    [TestCase(29.97, "30000/1001")]
    [TestCase(25, "25")]
    [TestCase(1, "24")]
    [TestCase(10, "24")]
    [TestCase(24.5, "25")]
    [TestCase(27, "30")]
    [TestCase(45, "50")]
    [TestCase(55, "60")]
    [TestCase(60, "60")]
    public void Camera_rate_maps_to_a_coded_rate(double fps, string coded) =>
        Assert.That(Mpeg1FrameRate.For(fps).ToString(), Is.EqualTo(coded));

    [Test]
    public void Every_rate_from_1_to_60_maps_at_or_above_itself()
    {
        for (var fps = 1.0; fps <= 60; fps += 0.5)
        {
            Assert.That(Mpeg1FrameRate.For(fps).Value, Is.GreaterThanOrEqualTo(fps - 0.01), $"{fps} fps");
        }
    }

    [TestCase(0.5)]
    [TestCase(61)]
    public void Rates_outside_1_to_60_are_refused(double fps) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Mpeg1FrameRate.For(fps));
}
