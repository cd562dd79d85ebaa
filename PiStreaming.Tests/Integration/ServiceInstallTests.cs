using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// install.sh and uninstall.sh, as shipped beside the executable, run with --root into a temporary folder
/// that stands for / (this machine's own system is left alone); the installed unit passes
/// `systemd-analyze verify`. A copy of the server's build output stands for a published build: it
/// carries the same files (./build.sh publish checks that the published one does).
/// </summary>
internal class ServiceInstallTests
{
    private string root = null!;
    private string published = null!;

    /// <summary>The build's own files and static/, without what other builds left in its folder (e.g. linux-arm64/).</summary>
    [OneTimeSetUp]
    public void MakePublishedFolder()
    {
        var build = Path.Combine(Repository.Root(), "PiStreaming", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0");
        published = Directory.CreateTempSubdirectory("pistreaming-published-").FullName;
        foreach (var file in Directory.EnumerateFiles(build))
        {
            File.Copy(file, Path.Combine(published, Path.GetFileName(file)));
        }

        CopyDirectory(Path.Combine(build, "static"), Path.Combine(published, "static"));
    }

    [OneTimeTearDown]
    public void RemovePublishedFolder() => Directory.Delete(published, recursive: true);

    [SetUp]
    public void MakeRoot() => root = Directory.CreateTempSubdirectory("pistreaming-root-").FullName;

    [TearDown]
    public void RemoveRoot() => Directory.Delete(root, recursive: true);

    [Test]
    public async Task Install_lays_out_the_build_the_user_the_options_and_an_enabled_unit_that_systemd_accepts()
    {
        var install = await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root);
        Assert.That(install.ExitCode, Is.Zero, install.ToString());

        Assert.That(File.Exists(Path.Combine(root, "opt/pistreaming/PiStreaming")), Is.True, "the executable");
        Assert.That(File.Exists(Path.Combine(root, "opt/pistreaming/static/index.html")), Is.True, "the page");
        Assert.That(File.Exists(Path.Combine(root, "opt/pistreaming/uninstall.sh")), Is.True, "the uninstaller");
        Assert.That(File.ReadAllText(Path.Combine(root, "etc/pistreaming/pistreaming.conf")), Is.EqualTo(File.ReadAllText(Path.Combine(published, "pistreaming.conf"))));
        var passwd = File.ReadAllLines(Path.Combine(root, "etc/passwd"));
        Assert.That(passwd, Has.Some.Matches<string>(line => line.StartsWith("pistreaming:x:", StringComparison.Ordinal) && line.EndsWith(":/usr/sbin/nologin",
            StringComparison.Ordinal)), "a system user without a login");
        var uid = int.Parse(passwd.Single(line => line.StartsWith("pistreaming:", StringComparison.Ordinal)).Split(':')[2]);
        Assert.That(uid, Is.LessThan(1000), "a system user");
        Assert.That(File.ReadAllLines(Path.Combine(root, "etc/group")).Single(line => line.StartsWith("video:", StringComparison.Ordinal)).Split(':')[3].Split(','),
            Does.Contain("pistreaming"), "in the group video, which the camera devices belong to");

        var unit = Path.Combine(root, "etc/systemd/system/pistreaming.service");
        var wanted = Path.Combine(root, "etc/systemd/system/multi-user.target.wants/pistreaming.service");
        Assert.That(File.ReadAllText(unit), Is.EqualTo(File.ReadAllText(Path.Combine(published, "pistreaming.service"))));
        Assert.That(new FileInfo(wanted).LinkTarget, Is.EqualTo("/etc/systemd/system/pistreaming.service"), "enabled: started at boot");

        // systemd-analyze verify needs the units the service refers to (multi-user.target, ...): this machine's.
        CopyDirectory("/usr/lib/systemd/system", Path.Combine(root, "usr/lib/systemd/system"));
        var verify = await Command.RunAsync("systemd-analyze", "verify", $"--root={root}", "/etc/systemd/system/pistreaming.service");
        Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
        Assert.That(verify.Output + verify.Error, Is.Empty, "no warning either (unknown settings, a missing executable, ...)");
    }

    [Test]
    public void The_unit_runs_the_published_server_with_the_options_file_sandboxed_and_notifying()
    {
        var unit = Properties(File.ReadAllLines(Path.Combine(published, "pistreaming.service")));

        Assert.That(unit["ExecStart"], Is.EqualTo("/opt/pistreaming/PiStreaming @/etc/pistreaming/pistreaming.conf"));
        Assert.That(unit["Type"], Is.EqualTo("notify"));
        Assert.That(unit["User"], Is.EqualTo("pistreaming"));
        Assert.That(unit["SupplementaryGroups"], Is.EqualTo("video"));
        Assert.That(unit["Restart"], Is.EqualTo("on-failure"));
        Assert.That(unit["RestartPreventExitStatus"], Is.EqualTo("2"), "bad options are not retried for ever");
        Assert.That(unit["NoNewPrivileges"], Is.EqualTo("yes"));
        Assert.That(unit["ProtectSystem"], Is.EqualTo("strict"));
        Assert.That(unit["ProtectHome"], Is.EqualTo("yes"));
        Assert.That(unit["PrivateTmp"], Is.EqualTo("yes"));
        Assert.That(unit["PrivateDevices"], Is.EqualTo("no"), "the camera is a device");
        Assert.That(unit["StateDirectory"], Is.EqualTo("pistreaming"));
        Assert.That(unit["RestrictAddressFamilies"].Split(' '), Is.SupersetOf(new[] { "AF_UNIX", "AF_INET", "AF_INET6" }));
        Assert.That(int.Parse(unit["LimitNOFILE"]), Is.GreaterThan(new Options.ServerOptions().MaxViewers));
    }

    [Test]
    public async Task Installing_again_keeps_the_options_unless_a_configuration_file_is_given()
    {
        var conf = Path.Combine(root, "etc/pistreaming/pistreaming.conf");
        Assert.That((await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root)).ExitCode, Is.Zero);
        await File.WriteAllTextAsync(conf, "--width 320\n--height 240\n");

        Assert.That((await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root)).ExitCode, Is.Zero);
        Assert.That(await File.ReadAllTextAsync(conf), Is.EqualTo("--width 320\n--height 240\n"), "an update keeps the options");

        var mine = Path.Combine(root, "mine.conf");
        await File.WriteAllTextAsync(mine, "--source v4l2\n");
        Assert.That((await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root, "--config", mine)).ExitCode, Is.Zero);
        Assert.That(await File.ReadAllTextAsync(conf), Is.EqualTo("--source v4l2\n"), "--config replaces them");

        var missing = await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root, "--config", Path.Combine(root, "nothing.conf"));
        Assert.That(missing.ExitCode, Is.EqualTo(2));
        Assert.That(missing.Error.Trim(), Does.StartWith("install.sh: no such configuration file").And.Not.Contain('\n'));
    }

    [Test]
    public async Task Uninstall_removes_the_service_the_user_and_the_build_and_keeps_options_and_data_unless_purged()
    {
        Assert.That((await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root)).ExitCode, Is.Zero);
        Directory.CreateDirectory(Path.Combine(root, "var/lib/pistreaming"));
        await File.WriteAllTextAsync(Path.Combine(root, "var/lib/pistreaming/credentials.json"), "{}");

        var uninstall = await Command.RunAsync(Path.Combine(root, "opt/pistreaming/uninstall.sh"), "--root", root);

        Assert.That(uninstall.ExitCode, Is.Zero, uninstall.ToString());
        Assert.That(Directory.Exists(Path.Combine(root, "opt/pistreaming")), Is.False);
        Assert.That(File.Exists(Path.Combine(root, "etc/systemd/system/pistreaming.service")), Is.False);
        Assert.That(File.Exists(Path.Combine(root, "etc/systemd/system/multi-user.target.wants/pistreaming.service")), Is.False);
        Assert.That(File.Exists(Path.Combine(root, "etc/sysusers.d/pistreaming.conf")), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(root, "etc/passwd")), Does.Not.Contain("pistreaming"));
        Assert.That(File.ReadAllLines(Path.Combine(root, "etc/group")), Has.None.Matches<string>(line => line.Contains("pistreaming", StringComparison.Ordinal)));
        Assert.That(File.Exists(Path.Combine(root, "etc/pistreaming/pistreaming.conf")), Is.True, "the options stay");
        Assert.That(File.Exists(Path.Combine(root, "var/lib/pistreaming/credentials.json")), Is.True, "the data (credentials, keys) stay");

        Assert.That((await Command.RunAsync(Path.Combine(published, "install.sh"), "--root", root)).ExitCode, Is.Zero);
        var purge = await Command.RunAsync(Path.Combine(root, "opt/pistreaming/uninstall.sh"), "--root", root, "--purge");
        Assert.That(purge.ExitCode, Is.Zero, purge.ToString());
        Assert.That(Directory.Exists(Path.Combine(root, "etc/pistreaming")), Is.False, "--purge removes the options too");
        Assert.That(Directory.Exists(Path.Combine(root, "var/lib/pistreaming")), Is.False, "and the data");
    }

    [Test]
    public void The_shipped_options_file_is_a_valid_command_line()
    {
        var parsed = Options.ServerCommandLine.Create().Parse(["@" + Path.Combine(published, "pistreaming.conf")]);
        Assert.That(parsed.Errors, Is.Empty);
        var options = Options.ServerCommandLine.ToOptions(parsed);
        Assert.That((options.Source, options.Width, options.Height, options.FrameRate, options.BitrateKbps), Is.EqualTo(("rpicam", 1280, 720, 30.0, 2000)));
    }

    private static Dictionary<string, string> Properties(IEnumerable<string> unitLines) =>
        unitLines.Where(line => line.Contains('=') && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                CopyDirectory(directory.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }
}
