using System.CommandLine;

namespace PiStreaming.Access;

/// <summary>
/// The subcommands that edit a credentials file: <c>user add|remove NAME --credentials FILE</c> and
/// <c>token add|remove NAME --credentials FILE</c>. Each prints one line (a new token: the token itself,
/// once) and exits 0, or prints "error: ..." and exits 2.
/// </summary>
internal static class AccessCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Group("user", "Add, change or remove a user who may watch (the password is asked for, never given on the command line)",
            Subcommand("add", "Add a user, or give an existing one a new password (read from the terminal without echo, or one line of standard input)", AddUser),
            Subcommand("remove", "Remove a user", RemoveUser));
        yield return Group("token", "Add or revoke an access token for media players, scripts and home automation (?token= or Authorization: Bearer)",
            Subcommand("add", "Make a new token for NAME (replacing NAME's old one) and print it once; only its hash is stored", AddToken),
            Subcommand("remove", "Revoke NAME's token", RemoveToken));
    }

    private static string AddUser(CredentialFile file, string name, string path)
    {
        var password = PasswordPrompt.ReadNew(name);
        var existed = file.Users.ContainsKey(name);
        file.Users[name] = Secrets.HashPassword(password);
        file.Save(path);
        return existed ? $"user {name}: password changed in {path}" : $"user {name} added to {path}";
    }

    private static string RemoveUser(CredentialFile file, string name, string path)
    {
        if (!file.Users.Remove(name))
        {
            throw new CredentialsException($"{path} has no user {name}");
        }

        file.Save(path);
        return $"user {name} removed from {path}";
    }

    private static string AddToken(CredentialFile file, string name, string path)
    {
        var token = Secrets.NewToken();
        file.Tokens[name] = Secrets.HashToken(token);
        file.Save(path);
        Console.Error.WriteLine($"token {name} stored in {path} (as a hash: this is the only time it is shown):");
        return token;
    }

    private static string RemoveToken(CredentialFile file, string name, string path)
    {
        if (!file.Tokens.Remove(name))
        {
            throw new CredentialsException($"{path} has no token {name}");
        }

        file.Save(path);
        return $"token {name} revoked in {path}";
    }

    private static Command Group(string name, string description, params Command[] subcommands)
    {
        var group = new Command(name, description);
        foreach (var subcommand in subcommands)
        {
            group.Subcommands.Add(subcommand);
        }

        return group;
    }

    private static Command Subcommand(string name, string description, Func<CredentialFile, string, string, string> change)
    {
        var user = new Argument<string>("NAME") { Description = "letters, digits and . _ @ - (at most 64)" };
        user.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !CredentialFile.IsValidName(r.Tokens[0].Value))
            {
                r.AddError($"NAME must be 1 to 64 letters, digits and . _ @ - (got '{r.Tokens[0].Value}')");
            }
        });
        var credentials = new Option<string>("--credentials") { HelpName = "FILE", Description = "The credentials file (created if missing)", Required = true };
        var command = new Command(name, description) { user, credentials };
        command.SetAction(parsed =>
        {
            var path = parsed.GetValue(credentials)!;
            try
            {
                Console.WriteLine(change(CredentialFile.LoadOrEmpty(path), parsed.GetValue(user)!, path));
                return 0;
            }
            catch (CredentialsException e)
            {
                return ExitStatus.UsageError(e.Message).Report();
            }
        });
        return command;
    }
}
