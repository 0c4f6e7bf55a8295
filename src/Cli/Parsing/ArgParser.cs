namespace MyDocker.Cli.Parsing;

/// <summary>
/// A small getopt/pflag-style parser: hand-written so a NativeAOT start costs nothing but the loop.
/// Flags and positionals may be mixed (<c>network create testbr --subnet 10.0.0.0/24</c>) unless
/// <c>interspersed</c> is false, in which case everything from the first positional on is positional
/// (the mode for dispatching to a sub-command, and later for <c>run IMAGE CMD ARGS...</c>).
/// <c>--</c> ends the flags; a lone <c>-</c> is a positional.
/// </summary>
public static class ArgParser
{
    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<FlagSpec> flags, bool interspersed = true)
    {
        var result = new ParsedArgs();
        bool flagsDone = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (flagsDone || arg.Length < 2 || arg[0] != '-')
            {
                result.AddPositional(arg);
                if (!interspersed) flagsDone = true;
                continue;
            }
            if (arg == "--")
            {
                flagsDone = true;
                continue;
            }

            if (arg[1] == '-')
            {
                SplitInline(arg.AsSpan(2), out var name, out var inline);
                var flag = FindLong(flags, name) ?? throw new UsageException($"unknown flag: --{name}");
                Take(flag, "--" + flag.Name, inline, args, ref i, result);
                continue;
            }

            SplitInline(arg.AsSpan(1), out var body, out var inlineValue);
            // The seed's Go flag package spelled long flags with one dash (-net, -driver); a word that names a
            // long flag wins over a cluster of one-letter flags.
            if (body.Length > 1 && FindLong(flags, body) is { } longFlag)
            {
                Take(longFlag, "-" + longFlag.Name, inlineValue, args, ref i, result);
                continue;
            }
            ParseShortCluster(arg, args, ref i, flags, result);
        }
        return result;
    }

    // -q, -qa, -dbridge, -d=bridge, -d bridge: bool letters may be grouped; the first letter that takes a
    // value takes the rest of the word (after an optional '=') or else the next argument.
    private static void ParseShortCluster(string arg, IReadOnlyList<string> args, ref int i, IReadOnlyList<FlagSpec> flags, ParsedArgs result)
    {
        for (int j = 1; j < arg.Length; j++)
        {
            char c = arg[j];
            var flag = FindShort(flags, c) ?? throw new UsageException($"unknown shorthand flag: '{c}' in {arg}");
            string rest = arg[(j + 1)..];
            if (flag.TakesValue)
            {
                string? inline = rest.Length == 0 ? null : rest[0] == '=' ? rest[1..] : rest;
                Take(flag, "-" + c, inline, args, ref i, result);
                return;
            }
            if (rest.Length > 0 && rest[0] == '=')
            {
                Take(flag, "-" + c, rest[1..], args, ref i, result);
                return;
            }
            result.Add(flag, "true");
        }
    }

    private static void Take(FlagSpec flag, string spelling, string? inline, IReadOnlyList<string> args, ref int i, ParsedArgs result)
    {
        if (!flag.TakesValue)
        {
            result.Add(flag, inline is null ? "true" : ParseBool(inline, spelling));
            return;
        }
        if (inline is null)
        {
            // Like pflag, the next word is the value even when it starts with '-'.
            if (i + 1 >= args.Count) throw new UsageException($"flag needs an argument: {spelling}");
            inline = args[++i];
        }
        result.Add(flag, inline);
    }

    private static string ParseBool(string value, string spelling) => value switch
    {
        "true" or "1" or "t" or "T" or "TRUE" or "True" => "true",
        "false" or "0" or "f" or "F" or "FALSE" or "False" => "false",
        _ => throw new UsageException($"invalid argument \"{value}\" for \"{spelling}\" flag: expected true or false"),
    };

    private static void SplitInline(ReadOnlySpan<char> body, out string name, out string? inline)
    {
        int eq = body.IndexOf('=');
        if (eq < 0)
        {
            name = body.ToString();
            inline = null;
        }
        else
        {
            name = body[..eq].ToString();
            inline = body[(eq + 1)..].ToString();
        }
    }

    private static FlagSpec? FindLong(IReadOnlyList<FlagSpec> flags, string name)
    {
        for (int k = 0; k < flags.Count; k++)
            if (string.Equals(flags[k].Name, name, StringComparison.Ordinal)) return flags[k];
        for (int k = 0; k < flags.Count; k++)
            foreach (var alias in flags[k].LongAliases)
                if (string.Equals(alias, name, StringComparison.Ordinal)) return flags[k];
        return null;
    }

    private static FlagSpec? FindShort(IReadOnlyList<FlagSpec> flags, char c)
    {
        for (int k = 0; k < flags.Count; k++)
            if (flags[k].Short == c && c != '\0') return flags[k];
        return null;
    }
}
