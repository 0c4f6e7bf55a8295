using MyDocker.Engine;
using MyDocker.Engine.Networks;

namespace MyDocker.Web.Dashboard.Networks;

public enum NetworkField { Name, Subnet, Gateway, IpRange, Other }

/// <summary>The create-network form's values, as typed.</summary>
public sealed class NetworkFormModel
{
    public string Name { get; set; } = "";
    public string Subnet { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IpRange { get; set; } = "";
    public bool Internal { get; set; }

    public NetworkCreateSpec ToSpec() => new(Name.Trim(), Subnet: Blank(Subnet), Gateway: Blank(Gateway), IpRange: Blank(IpRange), Internal: Internal);
    private static string? Blank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>One problem with the form: the field it belongs to and the engine's own words.</summary>
public sealed record FormProblem(NetworkField Field, string Message);

/// <summary>
/// Validates the form with the engine's planner (the checks create runs: name, CIDR, gateway, ip-range, overlap with
/// other networks and host routes) and says which field the first problem belongs to, so the message appears under it.
/// </summary>
public sealed class NetworkFormValidator(IDashboardEngine engine)
{
    public async Task<FormProblem?> ValidateAsync(NetworkFormModel form, CancellationToken ct = default)
    {
        try { await engine.ValidateNetworkAsync(form.ToSpec(), ct); return null; }
        catch (EngineException e) { return new FormProblem(FieldOf(e.Message), e.Message); }
    }

    /// <summary>The planner checks name, then subnet and gateway, then ip-range; its messages name the field.</summary>
    public static NetworkField FieldOf(string message) => message switch
    {
        _ when message.StartsWith("network name", StringComparison.Ordinal) || message.StartsWith("network named", StringComparison.Ordinal) => NetworkField.Name,
        _ when message.Contains("ip-range", StringComparison.Ordinal) => NetworkField.IpRange,
        _ when message.StartsWith("invalid gateway", StringComparison.Ordinal) || message.StartsWith("gateway", StringComparison.Ordinal) || message.StartsWith("--gateway", StringComparison.Ordinal) => NetworkField.Gateway,
        _ when message.Contains("subnet", StringComparison.Ordinal) => NetworkField.Subnet,
        _ => NetworkField.Other,
    };
}
