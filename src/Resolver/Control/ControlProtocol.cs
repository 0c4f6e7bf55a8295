// The resolver control protocol, version 1 (issue 13; the engine's client speaks it). One request per line of UTF-8
// JSON on a unix stream socket; one reply line per request, in order, written after the change is published:
//   {"op":"put","container":ID,"endpoints":[{"network":NET,"ip":"10.1.0.2","names":["db"],"internal":false}],
//    "dns":["192.0.2.53"],"hosts":[{"name":"h1","ip":"198.51.100.7"}]}      replaces all of one container
//   {"op":"remove","container":ID}                                            idempotent
//   {"op":"replace","containers":[<put objects without "op">]}               the whole table
//   {"op":"ping"}  → {"ok":true,"version":1,"pid":N,"containers":N}
// Replies: {"ok":true} or {"ok":false,"error":"…"}; a refused request changes nothing.
// Narrowings of the brief's wording (documented for the engine side):
//   - endpoint and hosts addresses are IPv4 (the resolver answers A only); an IPv6 one is refused by name, so IPv6
//     --add-host entries belong in the container's /etc/hosts only. "dns" may hold IPv4 or IPv6 servers.
//   - a loopback "dns" server (127.0.0.0/8, ::1) is refused: the resolver forwards from the host's namespace.
//   - "endpoints" may be empty or missing (a container on no network answers nothing); "internal" defaults to false.
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MyDocker.Resolver.Records;

namespace MyDocker.Resolver.Control;

/// <summary>Parses one request line, applies it to the table, and returns the reply line. Thread-safe (the table is).</summary>
public sealed class ControlProtocol(ContainerTable table)
{
    public const int Version = 1;

    /// <summary>Applies <paramref name="line"/> and returns the reply, without its newline. Never throws on bad input.</summary>
    public string Handle(string line) => Format(Execute(line));

    /// <summary>The reply line for <paramref name="reply"/>, without its newline.</summary>
    public static string Format(ControlReply reply) => JsonSerializer.Serialize(reply, ControlJson.Default.ControlReply);

    /// <summary>Applies <paramref name="line"/> and returns the reply. Never throws on bad input.</summary>
    public ControlReply Execute(string line)
    {
        try
        {
            return Apply(Parse(line));
        }
        catch (ControlException e)
        {
            return new ControlReply { Ok = false, Error = e.Message };
        }
    }

    /// <summary>The snapshot file's content: a <c>replace</c> request of every record, so loading it is the same path.</summary>
    public static string Serialize(IEnumerable<ContainerRecord> records) =>
        JsonSerializer.Serialize(ToReplace(records), ControlJson.Default.ControlRequest);

    /// <summary><see cref="Serialize"/> written straight to <paramref name="stream"/> (no string of the whole table).</summary>
    public static void Serialize(IEnumerable<ContainerRecord> records, Stream stream) =>
        JsonSerializer.Serialize(stream, ToReplace(records), ControlJson.Default.ControlRequest);

    private static ControlRequest ToReplace(IEnumerable<ContainerRecord> records) =>
        new() { Op = "replace", Containers = [.. records.Select(ToMessage)] };

    private static ControlRequest Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ControlJson.Default.ControlRequest)
                ?? throw new ControlException("the request is null; send one JSON object per line");
        }
        catch (JsonException e)
        {
            // The serializer's message names the field ("The JSON property 'x' could not be mapped…", "Path: $.endpoints[0].ip").
            throw new ControlException($"the request is not valid control JSON: {e.Message}");
        }
    }

    private ControlReply Apply(ControlRequest request)
    {
        switch (request.Op)
        {
            case "put":
                Refuse("put", request.Containers, "containers");
                Change(() => table.Put(ToRecord(request.Container, request.Endpoints, request.Dns, request.Hosts, "")));
                break;
            case "remove":
                Refuse("remove", request.Endpoints, "endpoints", request.Dns, "dns", request.Hosts, "hosts", request.Containers, "containers");
                var id = Required(request.Container, "container");
                Change(() => table.Remove(id));
                break;
            case "replace":
                Refuse("replace", request.Container, "container", request.Endpoints, "endpoints", request.Dns, "dns", request.Hosts, "hosts");
                var records = Required(request.Containers, "containers")
                    .Select((c, i) => ToRecord(c.Container, c.Endpoints, c.Dns, c.Hosts, $"containers[{i}]."))
                    .ToList();
                Change(() => table.Replace(records));
                break;
            case "ping":
                Refuse("ping", request.Container, "container", request.Endpoints, "endpoints", request.Dns, "dns", request.Hosts, "hosts", request.Containers, "containers");
                return new ControlReply { Ok = true, Version = Version, Pid = Environment.ProcessId, Containers = table.Records.Count };
            case null:
                throw new ControlException("the request has no \"op\"; use put, remove, replace or ping");
            default:
                throw new ControlException($"op \"{request.Op}\" is not known; use put, remove, replace or ping");
        }
        return new ControlReply { Ok = true };
    }

    /// <summary>The table refuses what it cannot hold (an address another container has) with an ArgumentException.</summary>
    private static void Change(Action change)
    {
        try
        {
            change();
        }
        catch (ArgumentException e)
        {
            throw new ControlException(e.Message);
        }
    }

    private static ContainerRecord ToRecord(string? container, List<EndpointMessage>? endpoints, List<string>? dns, List<HostMessage>? hosts, string at)
    {
        var id = Required(container, at + "container");
        Field(at + "container", () => ContainerRecord.ValidateId(id));
        var list = (endpoints ?? []).Select((e, i) =>
        {
            var path = $"{at}endpoints[{i}]";
            var network = Required(e.Network, path + ".network");
            Field(path + ".network", () => Names.ResolverName.ValidateNetwork(network));
            var names = e.Names ?? [];
            for (var n = 0; n < names.Count; n++)
            {
                var name = names[n];
                Field($"{path}.names[{n}]", () => Names.ResolverName.Validate(name));
            }
            return new ContainerEndpoint(network, Address(e.Ip, path + ".ip", ipv4Only: true), names, e.Internal);
        }).ToList();
        var servers = (dns ?? []).Select((d, i) => Address(d, $"{at}dns[{i}]", ipv4Only: false) is var server && IPAddress.IsLoopback(server)
            // The resolver forwards from the host's namespace: 127.0.0.1 there is the host's own loopback, not the
            // container's (Docker's resolver forwards from inside the container for these; ours cannot).
            ? throw new ControlException($"{at}dns[{i}]: {d} is a loopback address, which the resolver would reach in the host's namespace; leave it to the container's own resolv.conf")
            : server).ToList();
        var entries = (hosts ?? []).Select((h, i) =>
        {
            var name = Required(h.Name, $"{at}hosts[{i}].name");
            Field($"{at}hosts[{i}].name", () => Names.ResolverName.Validate(name));
            return new HostEntry(name, Address(h.Ip, $"{at}hosts[{i}].ip", ipv4Only: true));
        }).ToList();
        ContainerRecord? record = null;
        Field(at + "endpoints", () => record = new ContainerRecord(id, list, servers, entries));
        return record!;
    }

    private static IPAddress Address(string? text, string field, bool ipv4Only)
    {
        var value = Required(text, field);
        // IPAddress.TryParse also takes "10.1" and "167837698"; an IPv4 address here is always written as four numbers.
        var parsed = IPAddress.TryParse(value, out var address)
            && (address.AddressFamily == AddressFamily.InterNetwork ? value.Count(c => c == '.') == 3 : !ipv4Only);
        if (!parsed)
            throw new ControlException(ipv4Only
                ? $"{field}: \"{value}\" is not an IPv4 address; the resolver answers A records only"
                : $"{field}: \"{value}\" is not an IP address; give the name server's address");
        return address!;
    }

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new ControlException($"{field} is missing");

    private static void Field(string field, Action check)
    {
        try
        {
            check();
        }
        catch (ArgumentException e)
        {
            throw new ControlException($"{field}: {e.Message}");
        }
    }

    /// <summary>Refuses fields the op does not take, by name (pairs of value, field name).</summary>
    private static void Refuse(string op, params object?[] pairs)
    {
        for (var i = 0; i < pairs.Length; i += 2)
            if (pairs[i] is not null) throw new ControlException($"op \"{op}\" does not take \"{pairs[i + 1]}\"; remove it");
    }

    private static ContainerMessage ToMessage(ContainerRecord record) => new()
    {
        Container = record.Id,
        Endpoints = [.. record.Endpoints.Select(e => new EndpointMessage { Network = e.Network, Ip = e.Ip.ToString(), Names = [.. e.Names], Internal = e.Internal })],
        Dns = record.Dns.Count == 0 ? null : [.. record.Dns.Select(d => d.ToString())],
        Hosts = record.Hosts.Count == 0 ? null : [.. record.Hosts.Select(h => new HostMessage { Name = h.Name, Ip = h.Ip.ToString() })],
    };

    private sealed class ControlException(string message) : Exception(message);
}
