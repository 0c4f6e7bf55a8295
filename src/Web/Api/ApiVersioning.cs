using System.Text.RegularExpressions;

namespace MyDocker.Web.Api;

/// <summary>
/// Docker's API versioning: every path may start with /vMAJOR.MINOR. Clients ask /_ping first, read the API-Version
/// header and use min(theirs, ours) (the docker CLI's negotiation). Versions outside [Min, Max] get Docker's 400.
/// The rest of the routing sees the path without the prefix.
/// </summary>
public static partial class ApiVersioning
{
    public const string MaxVersion = "1.47";
    public const string MinVersion = "1.24";

    private const string RequestedVersionKey = "mydocker.api-version";

    /// <summary>The API version the request's path named; <see cref="MaxVersion"/> for an unversioned path (Docker
    /// treats those as the daemon's own version).</summary>
    public static Version RequestedVersion(HttpContext ctx) =>
        ctx.Items.TryGetValue(RequestedVersionKey, out var v) && v is Version version ? version : Version.Parse(MaxVersion);

    [GeneratedRegex(@"^/v(\d+)\.(\d+)(/.*)$")]
    private static partial Regex VersionedPath();

    public static IApplicationBuilder UseDockerApiVersioning(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        ctx.Response.Headers["Api-Version"] = MaxVersion;
        ctx.Response.Headers["Server"] = $"MyDocker/{typeof(ApiVersioning).Assembly.GetName().Version?.ToString(3)} (linux)";
        ctx.Response.Headers["Ostype"] = "linux";
        var path = ctx.Request.Path.Value ?? "/";
        var m = VersionedPath().Match(path);
        if (m.Success)
        {
            var requested = new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
            if (requested > Version.Parse(MaxVersion))
            {
                await ApiErrors.Write(ctx, StatusCodes.Status400BadRequest,
                    $"client version {requested} is too new. Maximum supported API version is {MaxVersion}");
                return;
            }
            if (requested < Version.Parse(MinVersion))
            {
                await ApiErrors.Write(ctx, StatusCodes.Status400BadRequest,
                    $"client version {requested} is too old. Minimum supported API version is {MinVersion}, please upgrade your client to a newer version");
                return;
            }
            ctx.Request.Path = m.Groups[3].Value;
            ctx.Items[RequestedVersionKey] = requested;
        }
        await next();
    });
}
