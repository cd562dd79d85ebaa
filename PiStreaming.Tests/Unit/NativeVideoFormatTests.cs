using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class NativeVideoFormatTests
{
    [TestCase(320, 240, 320, 240)]
    [TestCase(321, 241, 320, 240)]
    [TestCase(1920, 1080, 1920, 1080)]
    [TestCase(3840, 2160, 1920, 1080)]
    [TestCase(1080, 1920, 606, 1080)]
    [TestCase(2560, 1080, 1920, 810)]
    [TestCase(10, 10, 16, 16)]
    public void A_files_size_is_rounded_down_to_even_and_fitted_into_1920x1080_keeping_its_aspect_ratio(int width, int height, int streamWidth, int streamHeight) =>
        Assert.That(new NativeVideoFormat(width, height, 25).StreamFormat, Is.EqualTo(new FrameFormat(streamWidth, streamHeight)));

    [TestCase(15.0, 15.0)]
    [TestCase(29.97, 29.97)]
    [TestCase(120.0, 60.0)]
    [TestCase(0.5, 1.0)]
    public void A_files_rate_is_kept_within_1_to_60(double rate, double streamRate) =>
        Assert.That(new NativeVideoFormat(320, 240, rate).StreamFrameRate, Is.EqualTo(streamRate));

    [TestCase(null)]
    [TestCase(0.0)]
    [TestCase(double.NaN)]
    public void A_file_without_a_rate_leaves_the_option_as_it_is(double? rate) =>
        Assert.That(new NativeVideoFormat(320, 240, rate).StreamFrameRate, Is.Null);
}
