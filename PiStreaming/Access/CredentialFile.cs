using System.Text.Json;
using System.Text.Json.Serialization;

namespace PiStreaming.Access;

/// <summary>
/// The credentials file: users with their password hashes and named access tokens with the SHA-256 of each
/// token, as JSON, e.g. <c>{"users":{"alice":"AQAAAAIAAYag..."},"tokens":{"vlc":"9f86d081..."}}</c>. Only hashes
/// are stored. Written atomically (a new file beside it, then renamed over it) with permissions 0600.
/// </summary>
internal sealed record CredentialFile
{
    // Hashes as they are (base64's '+' unescaped): the file is for people to read too.
    private static readonly CredentialJson Json = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    [JsonPropertyName("users")]
    public SortedDictionary<string, string> Users { get; init; } = new(StringComparer.Ordinal);

    [JsonPropertyName("tokens")]
    public SortedDictionary<string, string> Tokens { get; init; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public bool IsEmpty => Users.Count == 0 && Tokens.Count == 0;

    /// <summary>A name for a user or a token: 1 to 64 letters, digits and . _ @ - (never ':', which Basic authentication cannot carry).</summary>
    public static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-');

    /// <exception cref="CredentialsException">the file is missing, unreadable or not a credentials file.</exception>
    public static CredentialFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CredentialsException($"credentials file {path} does not exist (create it with: PiStreaming user add NAME --credentials {path})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialsException($"credentials file {path} cannot be read: {e.Message}");
        }

        CredentialFile? file;
        try
        {
            file = JsonSerializer.Deserialize(text, Json.CredentialFile);
        }
        catch (JsonException e)
        {
            throw new CredentialsException($"credentials file {path} is not a PiStreaming credentials file: {e.Message}");
        }

        if (file is null || file.Users is null || file.Tokens is null)
        {
            throw new CredentialsException($"credentials file {path} is not a PiStreaming credentials file (expected {{\"users\":{{...}},\"tokens\":{{...}}}})");
        }

        if (file.Users.Keys.Concat(file.Tokens.Keys).FirstOrDefault(n => !IsValidName(n)) is { } bad)
        {
            throw new CredentialsException($"credentials file {path} has a bad name '{bad}' (letters, digits and . _ @ - only)");
        }

        if (file.Tokens.Values.Any(h => h.Length != 64 || !h.All(char.IsAsciiHexDigit)))
        {
            throw new CredentialsException($"credentials file {path} has a token that is not a SHA-256 in hex");
        }

        return file with
        {
            Users = new(file.Users, StringComparer.Ordinal),
            Tokens = new(file.Tokens, StringComparer.Ordinal),
        };
    }

    /// <summary>Loads the file, or an empty one when it does not exist yet.</summary>
    public static CredentialFile LoadOrEmpty(string path) => File.Exists(path) ? Load(path) : new CredentialFile();

    /// <summary>Writes the file atomically, readable and writable by its owner only.</summary>
    /// <exception cref="CredentialsException">it cannot be written.</exception>
    public void Save(string path)
    {
        try
        {
            PrivateFiles.Write(path, stream =>
            {
                JsonSerializer.Serialize(stream, this, Json.CredentialFile);
                stream.WriteByte((byte)'\n');
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialsException($"credentials file {path} cannot be written: {e.Message}");
        }
    }
}

/// <summary>A credentials file that cannot be used; the message is one line for the user.</summary>
internal sealed class CredentialsException(string message) : Exception(message);

[JsonSerializable(typeof(CredentialFile))]
internal sealed partial class CredentialJson : JsonSerializerContext;
