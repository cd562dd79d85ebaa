using System.Text;

namespace PiStreaming.Access;

/// <summary>
/// Reads a new password: on a terminal, typed twice without echo; otherwise one line of standard input
/// (e.g. <c>echo "$PASSWORD" | PiStreaming user add alice --credentials users.json</c>).
/// </summary>
internal static class PasswordPrompt
{
    /// <exception cref="CredentialsException">no password was given, or the two typed differ.</exception>
    public static string ReadNew(string user)
    {
        string? password;
        if (Console.IsInputRedirected)
        {
            password = Console.In.ReadLine();
            if (password is null)
            {
                throw new CredentialsException("no password on standard input (give it as one line)");
            }
        }
        else
        {
            password = ReadHidden($"password for {user}: ");
            if (ReadHidden("again: ") != password)
            {
                throw new CredentialsException("the two passwords differ; nothing changed");
            }
        }

        return password.Length > 0 ? password : throw new CredentialsException("the password is empty; nothing changed");
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return typed.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0)
                {
                    typed.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
    }
}
