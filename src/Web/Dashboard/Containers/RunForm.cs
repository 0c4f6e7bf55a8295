using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Shared.Run;

namespace MyDocker.Web.Dashboard.Containers;

public enum RunField { Image, Name, Command, Env, Memory, Cpus }

/// <summary>The run wizard's values, as typed.</summary>
public sealed class RunFormModel
{
    public string Image { get; set; } = "";
    public string Name { get; set; } = "";
    public string Command { get; set; } = "";
    /// <summary>Empty: the default network ("bridge", made on first use).</summary>
    public string Network { get; set; } = "";
    public List<EnvEntry> Env { get; } = [];
    public string Memory { get; set; } = "";
    public string Cpus { get; set; } = "";
    // Port rows: issue 5 item 4, after issue 4 lands (a List<PortEntry> here, validated in RunForm.Validate, turned into
    // ContainerCreateSpec.Publish in ToSpec and into -p flags in ToCli).
}

/// <summary>One environment row, NAME=VALUE.</summary>
public sealed class EnvEntry
{
    public string Text { get; set; } = "";
}

/// <summary>A problem with one field (for Env, which row: 0-based).</summary>
public sealed record RunProblem(RunField Field, string Message, int Row = -1);

/// <summary>
/// The wizard's checks, as the CLI makes them: the value syntax of <see cref="RunValues"/> (shared with the CLI's
/// <c>run</c>), then the engine's own limits (<see cref="ContainerPlanner.Validate"/>), plus what the wizard knows that the
/// CLI does not: the local images, the names taken, duplicate variables. Pure: runs on every keystroke.
/// </summary>
public static class RunForm
{
    /// <summary>What the wizard knows of the engine: local images, container names in use.</summary>
    public sealed record Context(IReadOnlyList<ImageRow> Images, IReadOnlyCollection<string> TakenNames);

    public static List<RunProblem> Validate(RunFormModel form, Context context)
    {
        var problems = new List<RunProblem>();
        var image = context.Images.FirstOrDefault(i => i.Reference == form.Image.Trim() || i.Tags.Contains(form.Image.Trim()) || i.Id == form.Image.Trim());
        if (form.Image.Trim().Length == 0)
            problems.Add(new(RunField.Image, context.Images.Count == 0
                ? "there are no local images; load one first (mydocker load -i FILE.tar)"
                : "choose an image"));
        else if (image is null)
            problems.Add(new(RunField.Image, $"image '{form.Image.Trim()}' is not a local image; choose one from the list"));

        if (form.Name.Trim() is { Length: > 0 } name)
        {
            try
            {
                RunValues.ParseName(name);
                if (context.TakenNames.Contains(name.TrimStart('/')))
                    problems.Add(new(RunField.Name, $"container name '{name.TrimStart('/')}' is already in use; choose another, or remove that container first"));
            }
            catch (FormatException e) { problems.Add(new(RunField.Name, e.Message)); }
        }

        try
        {
            var words = ShellWords.Split(form.Command);
            if (words.Count == 0 && image is { DefaultCommand.Length: 0 })
                problems.Add(new(RunField.Command, $"image '{image.Reference}' has no default command; give one, e.g. sleep 3600"));
        }
        catch (FormatException e) { problems.Add(new(RunField.Command, "the command is not valid: " + e.Message)); }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < form.Env.Count; i++)
        {
            string text = form.Env[i].Text;
            if (text.Length == 0) continue; // an empty row is left out
            if (RunValues.EnvProblem(text, allowBareName: false) is { } p) { problems.Add(new(RunField.Env, p, i)); continue; }
            string key = text[..text.IndexOf('=')];
            if (seen.TryGetValue(key, out int first))
                problems.Add(new(RunField.Env, $"{key} is already set in variable {first + 1}; remove one of them", i));
            else seen[key] = i;
        }

        if (form.Memory.Trim() is { Length: > 0 } memory)
        {
            try { EngineCheck(RunField.Memory, new ContainerSpec { MemoryBytes = RunValues.ParseMemory(memory) }, problems); }
            catch (FormatException e) { problems.Add(new(RunField.Memory, e.Message)); }
        }
        if (form.Cpus.Trim() is { Length: > 0 } cpus)
        {
            try { EngineCheck(RunField.Cpus, new ContainerSpec { NanoCpus = RunValues.ParseCpus(cpus) }, problems); }
            catch (FormatException e) { problems.Add(new(RunField.Cpus, e.Message)); }
        }
        return problems;
    }

    /// <summary>The engine's limits for one field (minimum memory, no more CPUs than the host has), in its words.</summary>
    private static void EngineCheck(RunField field, ContainerSpec spec, List<RunProblem> problems)
    {
        try { ContainerPlanner.Validate(new ContainerCreateSpec { Image = "-", Spec = spec }, _ => true); }
        catch (EngineException e) { problems.Add(new(field, e.Message)); }
    }

    /// <summary>The create request; call only when <see cref="Validate"/> found nothing.</summary>
    public static ContainerCreateSpec ToSpec(RunFormModel form)
    {
        var cmd = ShellWords.Split(form.Command);
        return new ContainerCreateSpec
        {
            Name = Blank(form.Name)?.TrimStart('/'),
            Image = form.Image.Trim(),
            Network = Blank(form.Network),
            Spec = new ContainerSpec
            {
                Cmd = cmd.Count > 0 ? cmd : null,
                Env = form.Env.Select(e => e.Text).Where(t => t.Length > 0).ToList(),
                MemoryBytes = Blank(form.Memory) is { } m ? RunValues.ParseMemory(m) : null,
                NanoCpus = Blank(form.Cpus) is { } c ? RunValues.ParseCpus(c) : null,
            },
        };
    }

    /// <summary>The equivalent <c>mydocker run -d</c> line, each value quoted for a POSIX shell. A command that does not
    /// parse yet is appended as typed.</summary>
    public static string ToCli(RunFormModel form)
    {
        var words = new List<string> { "mydocker", "run", "-d" };
        if (Blank(form.Name) is { } name) words.AddRange(["--name", name]);
        if (Blank(form.Network) is { } network) words.AddRange(["--network", network]);
        foreach (var e in form.Env.Where(e => e.Text.Length > 0)) words.AddRange(["-e", e.Text]);
        if (Blank(form.Memory) is { } memory) words.AddRange(["-m", memory]);
        if (Blank(form.Cpus) is { } cpus) words.AddRange(["--cpus", cpus]);
        // Port rows: issue 5 item 4 (-p HOSTIP:HOSTPORT:CONTAINERPORT/PROTO per row, here).
        words.Add(Blank(form.Image) ?? "IMAGE");
        string line = ShellWords.Join(words);
        if (form.Command.Trim().Length == 0) return line;
        try { return line + " " + ShellWords.Join(ShellWords.Split(form.Command)); }
        catch (FormatException) { return line + " " + form.Command.Trim(); }
    }

    private static string? Blank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
