using Microsoft.Extensions.Logging;

namespace PiStreaming.Access;

/// <summary>
/// Who may watch, from the credentials file, checked for changes at most once a second: users added,
/// removed or given a new password, and tokens revoked, take effect without a restart. A file that has
/// become unusable is reported and the last good one kept.
/// </summary>
internal sealed class Credentials
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string path;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private CredentialFile file;
    private (DateTime Written, long Length) version;
    private long checkedAt;

    private Credentials(string path, CredentialFile file, (DateTime, long) version, TimeProvider time, ILogger logger)
    {
        this.path = path;
        this.file = file;
        this.version = version;
        this.time = time;
        this.logger = logger;
        checkedAt = time.GetTimestamp();
    }

    /// <exception cref="CredentialsException">the file is missing, unreadable, not a credentials file, or names nobody.</exception>
    public static Credentials Load(string path, TimeProvider time, ILogger logger)
    {
        var version = VersionOf(path);
        var file = CredentialFile.Load(path);
        if (file.IsEmpty)
        {
            throw new CredentialsException($"credentials file {path} has no users and no tokens, so nobody could watch (add one with: PiStreaming user add NAME --credentials {path})");
        }

        return new Credentials(path, file, version, time, logger);
    }

    public int UserCount => Current().Users.Count;
    public int TokenCount => Current().Tokens.Count;

    public bool PasswordMatches(string user, string password)
    {
        Current().Users.TryGetValue(user, out var hash);
        return Secrets.PasswordMatches(hash, password);
    }

    /// <summary>The token's name, or null when no stored token matches.</summary>
    public string? TokenName(string token) => Secrets.MatchToken(Current().Tokens, token);

    public bool HasUser(string user) => Current().Users.ContainsKey(user);

    public bool HasToken(string name) => Current().Tokens.ContainsKey(name);

    private CredentialFile Current()
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            if (time.GetElapsedTime(checkedAt, now) < CheckInterval)
            {
                return file;
            }

            checkedAt = now;
            var current = VersionOf(path);
            if (current == version)
            {
                return file;
            }

            version = current;
            try
            {
                file = CredentialFile.Load(path);
                logger.LogInformation("credentials file reloaded: {Users} users, {Tokens} tokens", file.Users.Count, file.Tokens.Count);
            }
            catch (CredentialsException e)
            {
                logger.LogWarning("{Problem}; the credentials loaded before stay in force", e.Message);
            }

            return file;
        }
    }

    private static (DateTime, long) VersionOf(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }
}
