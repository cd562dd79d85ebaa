using PiStreaming.Pipeline;

namespace PiStreaming.Tests.Unit;

public class FrameTests
{
    [Test]
    public void A_frame_is_a_copy_and_each_holder_of_a_shared_frame_disposes_its_own()
    {
        var bytes = new byte[] { 1, 2, 3, 4 };
        var first = Frame.CopyOf(bytes, readAt: 42);
        bytes[0] = 9; // the source reuses its buffer

        var second = first.Share();
        first.Dispose();
        first.Dispose(); // a second dispose by the same holder takes nothing from the other

        Assert.That(second.Memory.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(second.ReadAt, Is.EqualTo(42));
        Assert.That(() => first.Memory, Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => first.Share(), Throws.InstanceOf<ObjectDisposedException>());
        second.Dispose();
        Assert.That(() => second.Memory, Throws.InstanceOf<ObjectDisposedException>());
    }
}
