using PiStreaming.Access;
using PiStreaming.Tests.Support;

namespace PiStreaming.Tests.Integration.Privacy;

/// <summary>The user and token commands, and the server's answers to credentials it cannot use, as users run them.</summary>
public class AccessCommandTests
{
    private string directory = null!;
    private string file = null!;

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), $"pistreaming-commands-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        file = Path.Combine(directory, "credentials.json");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string? input, params string[] arguments)
    {
        using var process = ServerProcess.Start(arguments);
        var output = process.Process.StandardOutput.ReadToEndAsync();
        if (input is not null)
        {
            await process.Process.StandardInput.WriteAsync(input);
        }

        process.Process.StandardInput.Close();
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        process.Process.WaitForExit(); // the last lines of standard error
        return (code, (await output).Trim(), process.StandardError.Trim());
    }

    [Test]
    public async Task User_add_reads_the_password_from_standard_input_and_stores_only_a_salted_hash_readable_by_the_owner()
    {
        var (code, output, _) = await RunAsync("first password\n", "user", "add", "alice", "--credentials", file);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Is.EqualTo($"user alice added to {file}"));
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var text = await File.ReadAllTextAsync(file);
        Assert.That(text, Does.Not.Contain("first password"));
        Assert.That(CredentialFile.Load(file).Users["alice"], Does.StartWith("AQAAAA"), "ASP.NET Core Identity's version 3 hash (PBKDF2, salted)");
        Assert.That(Secrets.PasswordMatches(CredentialFile.Load(file).Users["alice"], "first password"));

        (code, output, _) = await RunAsync("second password\n", "user", "add", "alice", "--credentials", file);
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("password changed"));
        Assert.That(Secrets.PasswordMatches(CredentialFile.Load(file).Users["alice"], "second password"));
        Assert.That(Secrets.PasswordMatches(CredentialFile.Load(file).Users["alice"], "first password"), Is.False);

        (code, output, _) = await RunAsync(null, "user", "remove", "alice", "--credentials", file);
        Assert.That(code, Is.Zero);
        Assert.That(CredentialFile.Load(file).Users, Is.Empty);
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(new[] { file }), "no temporary file left beside it");
    }

    [Test]
    public async Task Token_add_prints_a_new_token_once_and_stores_its_hash_token_remove_revokes_it()
    {
        var (code, token, errors) = await RunAsync(null, "token", "add", "vlc", "--credentials", file);
        Assert.That(code, Is.Zero, errors);
        Assert.That(token, Does.Match("^[A-Za-z0-9_-]{43}$"), "256 random bits, base64url, alone on standard output");
        Assert.That(errors, Does.Contain("only time it is shown"));
        var stored = CredentialFile.Load(file).Tokens["vlc"];
        Assert.That(stored, Is.EqualTo(Secrets.HashToken(token)));
        Assert.That(await File.ReadAllTextAsync(file), Does.Not.Contain(token));

        var (_, second, _) = await RunAsync(null, "token", "add", "vlc", "--credentials", file);
        Assert.That(second, Is.Not.EqualTo(token), "a new token each time");

        (code, _, _) = await RunAsync(null, "token", "remove", "vlc", "--credentials", file);
        Assert.That(code, Is.Zero);
        Assert.That(CredentialFile.Load(file).Tokens, Is.Empty);
    }

    [TestCase("\n", "the password is empty")]
    [TestCase(null, "no password on standard input")]
    public async Task No_password_is_a_clear_error(string? input, string message)
    {
        var (code, _, errors) = await RunAsync(input, "user", "add", "alice", "--credentials", file);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(errors, Does.StartWith("error: ").And.Contain(message).And.Not.Contain("\n"));
        Assert.That(File.Exists(file), Is.False);
    }

    [Test]
    public async Task Removing_someone_who_is_not_there_is_a_clear_error()
    {
        var (code, _, errors) = await RunAsync(null, "user", "remove", "bob", "--credentials", file);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(errors, Is.EqualTo($"error: {file} has no user bob"));
    }

    [TestCase("a:b")]
    [TestCase("")]
    public async Task A_bad_name_is_a_usage_error(string name)
    {
        var (code, _, errors) = await RunAsync("pw\n", "user", "add", name, "--credentials", file);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(errors, Does.StartWith("error: NAME must be"));
    }

    [TestCase(null, "does not exist")]
    [TestCase("not json", "is not a PiStreaming credentials file")]
    [TestCase("{\"users\":{},\"tokens\":{}}", "has no users and no tokens")]
    [TestCase("{\"users\":{\"a\":\"x\"},\"tokens\":{\"t\":\"short\"}}", "not a SHA-256")]
    public async Task The_server_refuses_a_credentials_file_it_cannot_use_in_one_line(string? content, string message)
    {
        if (content is not null)
        {
            await File.WriteAllTextAsync(file, content);
        }

        var (code, _, errors) = await RunAsync(null, [.. ServerProcess.Loopback, "--credentials", file, "--data-dir", Path.Combine(directory, "data")]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(errors, Does.StartWith("error: ").And.Contain(message).And.Not.Contain("\n"));
    }

    [Test]
    public async Task An_unusable_data_directory_is_a_clear_error()
    {
        var notADirectory = Path.Combine(directory, "file");
        await File.WriteAllTextAsync(notADirectory, "");
        var (code, _, errors) = await RunAsync(null, [.. ServerProcess.Loopback, "--tls", "self-signed", "--data-dir", Path.Combine(notADirectory, "data")]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(errors, Does.StartWith("error: cannot keep a self-signed certificate in").And.Not.Contain("\n"));
    }

    [Test]
    public async Task An_open_server_warns_once_when_it_listens_beyond_loopback()
    {
        using (var everywhere = ServerProcess.Start(["--bind", "0.0.0.0", "--http-port", "0", "--ws-port", "0"]))
        {
            await everywhere.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
            Assert.That(everywhere.StandardError.Split('\n').Count(l => l.Contains("anyone who can reach this server may watch", StringComparison.Ordinal)), Is.EqualTo(1));
        }

        using var loopback = ServerProcess.Start(ServerProcess.Loopback);
        await loopback.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        Assert.That(loopback.StandardError, Does.Not.Contain("anyone who can reach"));
    }
}
