using System.Text.Json;
using MyDocker.Engine;

namespace MyDocker.Web.Api;

/// <summary>
/// Docker's <c>filters</c> query parameter, as the docker CLI sends it (<c>{"name":{"web":true}}</c>) or in the older
/// form (<c>{"name":["web"]}</c>), turned into a predicate: every key must match, and a key matches when any of its
/// values does. Unknown keys are refused (ignoring them would list or remove more than asked).
/// </summary>
public static class DockerFilters
{
    public static Func<T, bool> Parse<T>(string? json, string what, IReadOnlyDictionary<string, Func<T, string, bool>> keys)
    {
        if (string.IsNullOrWhiteSpace(json)) return _ => true;
        var filters = new Dictionary<string, List<string>>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            foreach (var p in doc.RootElement.EnumerateObject())
                filters[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.Object => p.Value.EnumerateObject().Select(v => v.Name).ToList(),
                    JsonValueKind.Array => p.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToList(),
                    _ => throw EngineException.Invalid($"invalid filter '{p.Name}': expected an object or array of values"),
                };
        }
        catch (JsonException)
        {
            throw EngineException.Invalid($"filters must be a JSON object such as {{\"name\":[\"web\"]}}; got '{json}'");
        }
        foreach (var key in filters.Keys)
            if (!keys.ContainsKey(key))
                throw EngineException.Invalid($"invalid filter '{key}': {what} can be filtered by {string.Join(", ", keys.Keys)}");
        return item => filters.All(f => f.Value.Count == 0 || f.Value.Any(v => keys[f.Key](item, v)));
    }

    /// <summary>"key" or "key=value" against a label map.</summary>
    public static bool MatchesLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        int eq = filter.IndexOf('=');
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }
}
