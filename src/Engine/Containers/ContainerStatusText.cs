namespace MyDocker.Engine.Containers;

/// <summary>A container's state in Docker's words, which the API sends and the dashboard shows: the State word
/// ("running") and the STATUS column ("Up 5 minutes").</summary>
public static class ContainerStatusText
{
    /// <summary>Docker's State.Status: created, running, exited or removing.</summary>
    public static string StateWord(ContainerPhase phase) => phase switch
    {
        ContainerPhase.Creating or ContainerPhase.Created => "created",
        ContainerPhase.Running => "running",
        ContainerPhase.Exited => "exited",
        _ => "removing",
    };

    /// <summary>Docker's STATUS column: "Up 5 minutes", "Exited (137) 2 seconds ago", "Created".</summary>
    public static string Status(Container r, DateTimeOffset now) => r.Phase switch
    {
        ContainerPhase.Running => $"Up {HumanDuration(now - (r.StartedAt ?? r.Created))}",
        ContainerPhase.Exited => $"Exited ({r.ExitCode ?? 0}) {HumanDuration(now - (r.FinishedAt ?? r.Created))} ago",
        ContainerPhase.Removing => "Removal In Progress",
        _ => "Created",
    };

    /// <summary>Docker's go-units HumanDuration.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        double s = d.TotalSeconds;
        if (s < 1) return "Less than a second";
        if (s < 2) return "1 second";
        if (s < 60) return $"{(int)s} seconds";
        double m = d.TotalMinutes;
        if (m < 2) return "About a minute";
        if (m < 60) return $"{(int)m} minutes";
        double h = d.TotalHours;
        if (h < 2) return "About an hour";
        if (h < 48) return $"{(int)h} hours";
        if (h < 24 * 7 * 2) return $"{(int)(h / 24)} days";
        if (h < 24 * 30 * 2) return $"{(int)(h / 24 / 7)} weeks";
        if (h < 24 * 365 * 2) return $"{(int)(h / 24 / 30)} months";
        return $"{(int)(h / 24 / 365)} years";
    }
}
