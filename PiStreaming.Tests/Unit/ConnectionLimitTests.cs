using PiStreaming.Web;

namespace PiStreaming.Tests.Unit;

public class ConnectionLimitTests
{
    [Test]
    public void The_descriptor_limit_bounds_connections_after_what_is_open_and_a_spare()
    {
        Assert.That(ConnectionLimit.For(1024, 170, 2500), Is.EqualTo(1024 - 170 - ConnectionLimit.SpareDescriptors));
    }

    [Test]
    public void With_descriptors_to_spare_max_viewers_and_a_headroom_bound_it() =>
        Assert.That(ConnectionLimit.For(1_048_576, 170, 2500), Is.EqualTo(2500 + ConnectionLimit.NonViewerHeadroom));

    [Test]
    public void An_unlimited_process_is_still_bounded_by_max_viewers() =>
        Assert.That(ConnectionLimit.For(long.MaxValue, 170, 10), Is.EqualTo(10 + ConnectionLimit.NonViewerHeadroom));

    [Test]
    public void A_tiny_descriptor_limit_still_allows_a_few() => Assert.That(ConnectionLimit.For(200, 170, 2500), Is.EqualTo(8));
}
