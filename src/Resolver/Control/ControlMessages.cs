using System.Text.Json.Serialization;

namespace MyDocker.Resolver.Control;

// The control protocol's JSON, as the engine writes it (see ControlProtocol for the protocol itself). Names are
// camelCase and case-sensitive; an unknown field is refused by the serializer, so a field we do not implement is never
// silently ignored.

/// <summary>One request line: <c>op</c> and the fields that op takes.</summary>
public sealed class ControlRequest
{
    public string? Op { get; set; }
    public string? Container { get; set; }
    public List<EndpointMessage>? Endpoints { get; set; }
    public List<string>? Dns { get; set; }
    public List<HostMessage>? Hosts { get; set; }
    public List<ContainerMessage>? Containers { get; set; }
}

/// <summary>One container of a <c>replace</c> (and of the snapshot file): a <c>put</c> without <c>op</c>.</summary>
public sealed class ContainerMessage
{
    public string? Container { get; set; }
    public List<EndpointMessage>? Endpoints { get; set; }
    public List<string>? Dns { get; set; }
    public List<HostMessage>? Hosts { get; set; }
}

public sealed class EndpointMessage
{
    public string? Network { get; set; }
    public string? Ip { get; set; }
    public List<string>? Names { get; set; }
    public bool Internal { get; set; }
}

public sealed class HostMessage
{
    public string? Name { get; set; }
    public string? Ip { get; set; }
}

/// <summary>One reply line: <c>{"ok":true}</c>, <c>{"ok":false,"error":"…"}</c>, or ping's fields.</summary>
public sealed class ControlReply
{
    public bool Ok { get; init; }
    public string? Error { get; init; }
    public int? Version { get; init; }
    public int? Pid { get; init; }
    public int? Containers { get; init; }
}

/// <summary>Source-generated (de)serializers: NativeAOT has no reflection-based System.Text.Json.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlReply))]
internal sealed partial class ControlJson : JsonSerializerContext;
