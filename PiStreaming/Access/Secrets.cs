using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace PiStreaming.Access;

/// <summary>
/// How secrets are turned into what the credentials file keeps: passwords through ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (salted PBKDF2-HMAC-SHA512, 100,000 iterations); tokens, which are 256
/// random bits, through one SHA-256 (nothing to guess, so nothing to slow down), compared in fixed time.
/// </summary>
internal static class Secrets
{
    private static readonly PasswordHasher<string> Hasher = new();

    // Checked when the name is unknown, so that an unknown name costs as long as a wrong password.
    private static readonly Lazy<string> Decoy = new(() => Hasher.HashPassword("", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    public static string HashPassword(string password) => Hasher.HashPassword("", password);

    /// <param name="hash">the stored hash, or null for an unknown name (a decoy is checked instead).</param>
    public static bool PasswordMatches(string? hash, string password)
    {
        try
        {
            return Hasher.VerifyHashedPassword("", hash ?? Decoy.Value, password) != PasswordVerificationResult.Failed && hash is not null;
        }
        catch (FormatException)
        {
            return false; // a hash that is not one (edited by hand)
        }
    }

    /// <summary>A new token: 32 random bytes, base64url (43 characters).</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    /// <summary>The name of the token whose hash matches, checking every one in fixed time; null when none does.</summary>
    public static string? MatchToken(IReadOnlyDictionary<string, string> hashes, string token)
    {
        var given = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
        string? match = null;
        foreach (var (name, hash) in hashes)
        {
            if (CryptographicOperations.FixedTimeEquals(given, Convert.FromHexString(hash)))
            {
                match = name;
            }
        }

        return match;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
