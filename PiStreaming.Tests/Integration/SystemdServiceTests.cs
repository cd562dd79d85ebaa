using System.Net.Sockets;
using System.Text.Json;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration;

/// <summary>
/// The server as the systemd unit runs it, without systemd (which cannot run here): its notifications go
/// to a datagram socket this test listens on, as systemd's NOTIFY_SOCKET would (READY=1 once the port
/// answers, STOPPING=1 on SIGTERM); its log goes to a "journal" (JOURNAL_STREAM set) with syslog levels;
/// its options come from a response file, as /etc/pistreaming/pistreaming.conf.
/// </summary>
internal class SystemdServiceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private string folder = null!;

    [SetUp]
    public void MakeFolder() => folder = Directory.CreateTempSubdirectory("pistreaming-systemd-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task Ready_once_the_port_answers_stopping_on_sigterm_and_levels_on_every_log_line()
    {
        var socketPath = Path.Combine(folder, "notify");
        using var notifications = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifications.Bind(new UnixDomainSocketEndPoint(socketPath));
        using var server = ServerProcess.Start(ServerProcess.Loopback, new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["JOURNAL_STREAM"] = "8:12345",
        });

        var ready = await ReceiveAsync(notifications, server);
        var ports = await server.WaitUntilListeningAsync(Patience);
        using (var http = new HttpClient { Timeout = Patience })
        using (var page = await http.GetAsync($"http://127.0.0.1:{ports.Http}/index.html"))
        {
            Assert.That((int)page.StatusCode, Is.EqualTo(200), "the port answered when the server said it was ready");
        }

        Assert.That(ready.Split('\n'), Does.Contain("READY=1"));
        Assert.That(ready, Does.Contain($"STATUS=streaming test pattern at 640x480, 24 fps on http://127.0.0.1:{ports.Http}/"));
        var encoder = server.ChildWhoseCommandLineContains("mpeg1video");
        Assert.That(await File.ReadAllTextAsync($"/proc/{encoder}/environ"), Does.Not.Contain("NOTIFY_SOCKET="),
            "ffmpeg is not told where systemd listens (only the server reports)");

        server.Signal(ServerProcess.SIGTERM);
        var stopping = await ReceiveAsync(notifications, server);
        Assert.That(stopping.Split('\n'), Does.Contain("STOPPING=1"));
        Assert.That(await server.WaitForExitAsync(Patience), Is.Zero);

        var lines = server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines, Has.All.Match(@"^<[0-7]>"), "every line starts with its syslog level, for the journal");
        Assert.That(lines, Has.Some.Match(@"^<6>.*open http://"), "information is level 6");
    }

    [Test]
    public async Task Without_a_journal_the_log_keeps_its_own_time_stamps_and_nothing_is_notified()
    {
        using var server = ServerProcess.Start(ServerProcess.Loopback);
        await server.WaitUntilListeningAsync(Patience);
        server.Signal(ServerProcess.SIGTERM);
        Assert.That(await server.WaitForExitAsync(Patience), Is.Zero);
        Assert.That(server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.All.Match(@"^\d\d:\d\d:\d\d\.\d{3} "));
    }

    [Test]
    public async Task Options_come_from_a_response_file_with_comments_beside_those_on_the_command_line()
    {
        var options = Path.Combine(folder, "pistreaming.conf");
        await File.WriteAllTextAsync(options, "# as /etc/pistreaming/pistreaming.conf\n--width 320\n  # an indented comment\n--height 240\n\n--framerate 12\n");
        using var server = ServerProcess.Start(["@" + options, .. ServerProcess.Loopback]);
        var ports = await server.WaitUntilListeningAsync(Patience);

        using var http = new HttpClient { Timeout = Patience };
        using var status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{ports.Http}/status"));
        var stream = status.RootElement.GetProperty("stream");
        Assert.That((stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32(), stream.GetProperty("frameRate").GetDouble()),
            Is.EqualTo((320, 240, 12.0)));
        server.Signal(ServerProcess.SIGTERM);
        Assert.That(await server.WaitForExitAsync(Patience), Is.Zero);
    }

    [Test]
    public async Task A_bad_option_in_the_file_is_one_error_line_and_exit_code_2()
    {
        var options = Path.Combine(folder, "pistreaming.conf");
        await File.WriteAllTextAsync(options, "--width 321\n");
        using var server = ServerProcess.Start(["@" + options, .. ServerProcess.Loopback], new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" });

        Assert.That(await server.WaitForExitAsync(Patience), Is.EqualTo(2), "the unit does not restart it (RestartPreventExitStatus=2)");
        Assert.That(server.StandardError.Trim(), Does.StartWith("<3>error: --width must be an even number").And.Not.Contain('\n'),
            "one line, filed in the journal as an error");
    }

    private static async Task<string> ReceiveAsync(Socket socket, ServerProcess server)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, received);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no notification within {Patience.TotalSeconds} s; the server logged:\n{server.StandardError}");
            return "";
        }
    }
}
