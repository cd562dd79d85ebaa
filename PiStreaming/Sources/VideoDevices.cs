using System.Globalization;

namespace PiStreaming.Sources;

/// <summary>
/// The video devices present (/dev/videoN), with the names the kernel gives them, for --list-devices.
/// A webcam often shows up as two devices; the first of the pair is usually the picture.
/// </summary>
internal static class VideoDevices
{
    public sealed record Device(string Path, string? Name);

    /// <param name="root">"/" normally; another directory holding dev/ and sys/class/video4linux/ in tests.</param>
    public static IReadOnlyList<Device> List(string root = "/")
    {
        var dev = System.IO.Path.Combine(root, "dev");
        if (!Directory.Exists(dev))
        {
            return [];
        }

        return Directory.EnumerateFileSystemEntries(dev, "video*")
            .Select(path => (Path: path, Number: Number(System.IO.Path.GetFileName(path))))
            .Where(device => device.Number is not null)
            .OrderBy(device => device.Number)
            .Select(device => new Device("/dev/" + System.IO.Path.GetFileName(device.Path), NameOf(root, System.IO.Path.GetFileName(device.Path))))
            .ToList();
    }

    /// <summary>The lines --list-devices prints.</summary>
    public static IReadOnlyList<string> Describe(IReadOnlyList<Device> devices) =>
        devices.Count == 0
            ? ["no video devices found (no /dev/video*): plug in a USB webcam, or use --source rpicam for the Raspberry Pi camera"]
            : [.. devices.Select(d => d.Name is null ? d.Path : $"{d.Path}  {d.Name}"), "use one with --source v4l2:/dev/videoN"];

    private static int? Number(string name) =>
        int.TryParse(name.AsSpan("video".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string? NameOf(string root, string device)
    {
        var file = System.IO.Path.Combine(root, "sys", "class", "video4linux", device, "name");
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
