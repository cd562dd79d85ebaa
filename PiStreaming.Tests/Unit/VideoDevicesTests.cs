using PiStreaming.Sources;

namespace PiStreaming.Tests.Unit;

public class VideoDevicesTests
{
    private string root = null!;

    [SetUp]
    public void CreateRoot() => root = Directory.CreateTempSubdirectory("pistreaming-devices-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(root, recursive: true);

    [Test]
    public void Lists_video_devices_in_number_order_with_their_kernel_names()
    {
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        foreach (var (device, name) in new[] { ("video10", "bcm2835-codec-decode"), ("video0", "HD Pro Webcam C920"), ("video1", null) })
        {
            File.WriteAllText(Path.Combine(root, "dev", device), "");
            if (name is not null)
            {
                var sys = Directory.CreateDirectory(Path.Combine(root, "sys", "class", "video4linux", device)).FullName;
                File.WriteAllText(Path.Combine(sys, "name"), name + "\n");
            }
        }

        File.WriteAllText(Path.Combine(root, "dev", "vcsm-cma"), "");

        var lines = VideoDevices.Describe(VideoDevices.List(root));

        Assert.That(lines, Is.EqualTo(new[]
        {
            "/dev/video0  HD Pro Webcam C920", "/dev/video1", "/dev/video10  bcm2835-codec-decode", "use one with --source v4l2:/dev/videoN",
        }));
    }

    [Test]
    public void No_devices_gives_one_clear_line()
    {
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        var lines = VideoDevices.Describe(VideoDevices.List(root));
        Assert.That(lines, Has.Count.EqualTo(1));
        Assert.That(lines[0], Does.StartWith("no video devices found"));
    }
}
