using PiStreaming.Relay;

namespace PiStreaming.Tests.Unit;

/// <summary>Where a relay finds each of its origin's streams, from the address given with relay:URL.</summary>
internal class OriginAddressesTests
{
    [TestCase("ws://camera.local:8082/video", "ws://camera.local:8082/video", "ws://camera.local:8082/video.h264")]
    [TestCase("wss://camera.local:8082/video.h264", "wss://camera.local:8082/video", "wss://camera.local:8082/video.h264")]
    [TestCase("ws://camera.local:8084/", "ws://camera.local:8084/", "ws://camera.local:8084/video.h264")]
    [TestCase("ws://viewer:secret@camera.local:8082/video?token=abc", "ws://viewer:secret@camera.local:8082/video?token=abc",
        "ws://viewer:secret@camera.local:8082/video.h264?token=abc")]
    [TestCase("http://camera.local:8082/stream.mpg", "http://camera.local:8082/stream.mpg", null)]
    public void A_WebSocket_address_names_both_streams_and_stream_mpg_only_MPEG1(string given, string mpeg1, string? h264)
    {
        var (mpeg1Address, h264Address) = OriginCodecExtensions.Addresses(new Uri(given));

        Assert.That((mpeg1Address.ToString(), h264Address?.ToString()), Is.EqualTo((mpeg1, h264)));
    }
}
