using System.Globalization;
using MyDocker.Cli.Output;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.Cli.Commands;

/// <summary><c>mydocker images|rmi|load|import</c> and the same verbs under <c>mydocker image</c>.</summary>
public static class ImageCommands
{
    private static readonly FlagSpec[] ListFlags =
    [
        FlagSpec.Bool("quiet", 'q', "Only show image IDs"),
        FlagSpec.Value("format", '\0', "string", "Output format: table or json", "table"),
        FlagSpec.Bool("no-trunc", '\0', "Don't truncate output"),
        FlagSpec.Bool("all", 'a', "Show all images (accepted for docker compatibility; there are no intermediate images)"),
    ];

    private static readonly FlagSpec[] RemoveFlags = [FlagSpec.Bool("force", 'f', "Remove every tag of an image named by id; untag an image a container uses")];
    private static readonly FlagSpec[] LoadFlags =
    [
        FlagSpec.Value("input", 'i', "string", "Read from a tar archive file, instead of STDIN"),
        FlagSpec.Bool("quiet", 'q', "Suppress the load output"),
    ];

    private static CommandSpec ListSpec(string name, params string[] aliases) => new()
    {
        Name = name, Aliases = aliases, Summary = "List images", Flags = ListFlags, MaxArgs = 0, Run = ListAsync,
    };

    private static CommandSpec RemoveSpec(string name, params string[] aliases) => new()
    {
        Name = name, Aliases = aliases, Summary = "Remove one or more images", ArgsUsage = "IMAGE [IMAGE...]",
        Flags = RemoveFlags, MinArgs = 1, Run = RemoveAsync,
    };

    private static CommandSpec LoadSpec() => new()
    {
        Name = "load", Summary = "Load images from a `docker save` or OCI tar archive (file or STDIN)", Flags = LoadFlags, MaxArgs = 0, Run = LoadAsync,
    };

    private static CommandSpec ImportSpec() => new()
    {
        Name = "import", Summary = "Import a root filesystem tarball as a one-layer image", ArgsUsage = "FILE|- NAME[:TAG]",
        MinArgs = 2, MaxArgs = 2, Run = ImportAsync,
    };

    private static readonly CommandSpec Inspect = new()
    {
        Name = "inspect", Summary = "Display detailed information on one or more images", ArgsUsage = "IMAGE [IMAGE...]", MinArgs = 1, Run = InspectAsync,
    };

    public static readonly CommandSpec Images = ListSpec("images");
    public static readonly CommandSpec Rmi = RemoveSpec("rmi");
    public static readonly CommandSpec Load = LoadSpec();
    public static readonly CommandSpec Import = ImportSpec();

    public static readonly CommandGroup Group = new()
    {
        Name = "image",
        Summary = "Manage images",
        Commands = [ImportSpec(), Inspect, LoadSpec(), ListSpec("ls", "list"), RemoveSpec("rm", "remove")],
    };

    private static async Task<int> ListAsync(CommandContext context, ParsedArgs args)
    {
        string format = args.Value("format") ?? "table";
        if (format != "table" && format != "json") throw new UsageException($"unsupported --format \"{format}\": use table or json");
        bool noTrunc = args.Bool("no-trunc");
        var raw = await context.Daemon.ListImagesRawAsync(context.Cancel).ConfigureAwait(false);
        if (format == "json" && !args.Bool("quiet"))
        {
            JsonOutput.Write(context.Out, raw);
            return CliApp.ExitOk;
        }
        var images = DaemonClient.Decode(raw, ApiJsonContext.Default.ListImageSummary, HttpMethod.Get, "/images/json");
        if (args.Bool("quiet"))
        {
            var seen = new HashSet<string>();
            foreach (var i in images)
                if (seen.Add(i.Id)) context.Out.WriteLine(noTrunc ? i.Id : ShortId(i.Id));
            return CliApp.ExitOk;
        }
        FormatTable(images, DateTimeOffset.UtcNow, noTrunc).WriteTo(context.Out);
        return CliApp.ExitOk;
    }

    /// <summary>The <c>images</c> table: REPOSITORY, TAG, IMAGE ID, CREATED, SIZE — a row per tag, &lt;none&gt; for an untagged image.</summary>
    public static Table FormatTable(IReadOnlyList<ImageSummary> images, DateTimeOffset now, bool noTrunc = false)
    {
        var table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        foreach (var i in images)
        {
            string id = noTrunc ? i.Id : ShortId(i.Id);
            string created = HumanAge(now - DateTimeOffset.FromUnixTimeSeconds(i.Created));
            string size = HumanSize(i.Size);
            if (i.RepoTags is not { Count: > 0 })
            {
                table.AddRow("<none>", "<none>", id, created, size);
                continue;
            }
            foreach (var tag in i.RepoTags)
            {
                int colon = tag.LastIndexOf(':');
                table.AddRow(colon > tag.LastIndexOf('/') ? tag[..colon] : tag, colon > tag.LastIndexOf('/') ? tag[(colon + 1)..] : "<none>", id, created, size);
            }
        }
        return table;
    }

    /// <summary>Docker's short image id: 12 hex digits without "sha256:".</summary>
    public static string ShortId(string id)
    {
        string hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        return hex.Length > 12 ? hex[..12] : hex;
    }

    /// <summary>go-units HumanSizeWithPrecision(size, 3): decimal units, three significant digits ("4.26MB", "928kB").</summary>
    public static string HumanSize(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        double size = bytes;
        int unit = 0;
        while (size >= 1000 && unit < units.Length - 1) { size /= 1000; unit++; }
        return size.ToString("G3", CultureInfo.InvariantCulture) + units[unit];
    }

    /// <summary>go-units HumanDuration + " ago", as the docker CLI prints CREATED.</summary>
    public static string HumanAge(TimeSpan age)
    {
        double seconds = Math.Max(0, age.TotalSeconds);
        static string Ago(string s) => s + " ago";
        if (seconds < 1) return "Less than a second ago";
        if (seconds < 60) return Ago($"{(int)seconds} second{(seconds >= 2 ? "s" : "")}");
        double minutes = age.TotalMinutes;
        if (minutes < 2) return "About a minute ago";
        if (minutes < 60) return Ago($"{(int)minutes} minutes");
        double hours = age.TotalHours;
        if (hours < 2) return "About an hour ago";
        if (hours < 48) return Ago($"{(int)hours} hours");
        if (hours < 24 * 7 * 2) return Ago($"{(int)(hours / 24)} days");
        if (hours < 24 * 30 * 2) return Ago($"{(int)(hours / 24 / 7)} weeks");
        if (hours < 24 * 365 * 2) return Ago($"{(int)(hours / 24 / 30)} months");
        return Ago($"{(int)(hours / 24 / 365)} years");
    }

    private static async Task<int> RemoveAsync(CommandContext context, ParsedArgs args)
    {
        bool failed = false;
        foreach (var name in args.Positionals)
        {
            try
            {
                foreach (var item in await context.Daemon.RemoveImageAsync(name, args.Bool("force"), context.Cancel).ConfigureAwait(false))
                {
                    if (item.Untagged is { } u) context.Out.WriteLine("Untagged: " + u);
                    if (item.Deleted is { } d) context.Out.WriteLine("Deleted: " + d);
                }
            }
            catch (DaemonException e) when (e.StatusCode != 0)
            {
                context.Error(e.Message); // in use, no such image: report it and go on with the others, like docker
                failed = true;
            }
        }
        return failed ? CliApp.ExitDaemonError : CliApp.ExitOk;
    }

    private static async Task<int> LoadAsync(CommandContext context, ParsedArgs args)
    {
        string? input = args.Value("input");
        if (input is null && !Console.IsInputRedirected)
            throw new UsageException("requested load from stdin, but stdin is a terminal: give -i FILE or redirect a tar archive into it");
        await using var stream = OpenInput(input ?? "-");
        bool quiet = args.Bool("quiet");
        await context.Daemon.LoadImagesAsync(stream, m =>
        {
            if (!quiet && m.Stream is { } text) context.Out.Write(text);
        }, context.Cancel).ConfigureAwait(false);
        return CliApp.ExitOk;
    }

    private static async Task<int> ImportAsync(CommandContext context, ParsedArgs args)
    {
        string file = args.Positionals[0];
        if (file == "-" && !Console.IsInputRedirected)
            throw new UsageException("import from stdin (-), but stdin is a terminal: give a FILE or redirect a tarball into it");
        await using var stream = OpenInput(file);
        await context.Daemon.ImportImageAsync(stream, args.Positionals[1], m =>
        {
            if (m.Status is { } status) context.Out.WriteLine(status);
        }, context.Cancel).ConfigureAwait(false);
        return CliApp.ExitOk;
    }

    private static Stream OpenInput(string path)
    {
        if (path == "-") return Console.OpenStandardInput();
        try { return File.OpenRead(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot open {path}: {e.Message}");
        }
    }

    private static async Task<int> InspectAsync(CommandContext context, ParsedArgs args)
    {
        var found = new List<byte[]>(args.Positionals.Count);
        var errors = new List<string>();
        foreach (var name in args.Positionals)
        {
            try { found.Add(await context.Daemon.InspectImageRawAsync(name, context.Cancel).ConfigureAwait(false)); }
            catch (DaemonException e) when (e.StatusCode != 0) { errors.Add(e.Message); }
        }
        JsonOutput.WriteArray(context.Out, found);
        foreach (var error in errors) context.Error(error);
        return errors.Count == 0 ? CliApp.ExitOk : CliApp.ExitDaemonError;
    }
}
