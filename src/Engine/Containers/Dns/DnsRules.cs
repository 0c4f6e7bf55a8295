using MyDocker.Shared.Run;

namespace MyDocker.Engine.Containers.Dns;

/// <summary>Checks a container's DNS settings (pure): the API's HostConfig.Dns, DnsSearch, DnsOptions and ExtraHosts with
/// the CLI's own rules (<see cref="DnsValues"/>), so a raw API client is refused with the same words.</summary>
public static class DnsRules
{
    /// <exception cref="EngineException">The first bad value, named, with the fix.</exception>
    public static void Validate(ContainerSpec spec)
    {
        foreach (var server in spec.Dns) Check(DnsValues.NameServerProblem(server));
        foreach (var domain in spec.DnsSearch) Check(DnsValues.SearchDomainProblem(domain));
        foreach (var option in spec.DnsOptions) Check(DnsValues.OptionProblem(option));
        foreach (var host in spec.ExtraHosts) Check(DnsValues.ExtraHostProblem(host));
    }

    private static void Check(string? problem)
    {
        if (problem is not null) throw EngineException.Invalid(problem);
    }
}
