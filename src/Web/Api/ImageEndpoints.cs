using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MyDocker.Engine;
using MyDocker.Engine.Images;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Docker Engine API: /images (list, inspect, remove, load, import). There is no registry: no pull, no push.</summary>
public static class ImageEndpoints
{
    public static void MapImageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/json", async (ImageService images, CancellationToken ct) =>
            Results.Json((await images.ListAsync(ct)).Select(ToSummary).ToList(), ApiJsonContext.Default.ListImageSummary));

        // Image names may hold '/' (team/app:v1), and Docker's clients do not escape it: one catch-all route per verb.
        app.MapGet("/images/{**name}", async (string name, ImageService images, CancellationToken ct) =>
        {
            if (!name.EndsWith("/json", StringComparison.Ordinal))
                throw EngineException.NotFound($"page not found: GET /images/{name}");
            var image = await images.GetAsync(name[..^"/json".Length], ct);
            return Results.Json(ToInspect(image, images.LowerDirs(image)), ApiJsonContext.Default.ImageInspect);
        });

        app.MapDelete("/images/{**name}", async (string name, string? force, ImageService images, CancellationToken ct) =>
        {
            var lines = await images.RemoveAsync(name, BoolValue(force), ct);
            var items = lines.Select(l => l.StartsWith("Untagged: ", StringComparison.Ordinal)
                ? new ImageDeleteResponseItem { Untagged = l["Untagged: ".Length..] }
                : new ImageDeleteResponseItem { Deleted = l["Deleted: ".Length..] }).ToList();
            return Results.Json(items, ApiJsonContext.Default.ListImageDeleteResponseItem);
        });

        // docker load: the body is the archive; the answer a JSON-lines stream, errors inside it (as Docker's).
        app.MapPost("/images/load", async (HttpContext ctx, ImageService images) =>
        {
            AllowLargeBody(ctx);
            await StreamAsync(ctx, async ct =>
            {
                var loaded = await images.LoadAsync(ctx.Request.Body, ct);
                return loaded.SelectMany(i => i.RepoTags.Count > 0
                        ? i.RepoTags.Select(t => new JsonMessage { Stream = $"Loaded image: {t}\n" })
                        : [new JsonMessage { Stream = $"Loaded image ID: {i.Id}\n" }])
                    .ToList();
            });
        });

        // docker import (fromSrc=-: the body is a rootfs tarball). fromImage would be a pull, which needs a registry.
        app.MapPost("/images/create", async (HttpContext ctx, ImageService images) =>
        {
            var q = ctx.Request.Query;
            if (!string.IsNullOrEmpty(q["fromImage"]))
                throw EngineException.NotFound(
                    $"cannot pull {q["fromImage"]}: MyDocker has no registry. Load a `docker save` tarball with 'mydocker load -i FILE' or import a rootfs with 'mydocker import FILE NAME'");
            string fromSrc = q["fromSrc"].ToString();
            if (fromSrc != "-")
                throw EngineException.Invalid(string.IsNullOrEmpty(fromSrc)
                    ? "give fromSrc=- and the rootfs tarball as the request body"
                    : $"importing from a URL ({fromSrc}) is not supported; send the tarball as the body with fromSrc=-");
            if (q["changes"].Any(c => !string.IsNullOrWhiteSpace(c)))
                throw EngineException.Invalid("import --change is not supported yet; import without it (give the command at run time)");
            string repo = q["repo"].ToString();
            string tag = q["tag"].ToString();
            if (string.IsNullOrEmpty(repo))
                throw EngineException.Invalid("an imported image needs a name: give repo=NAME (mydocker import FILE NAME[:TAG])");
            string reference = string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag;
            ImageReference.Parse(reference); // refuse a bad name before reading the body
            AllowLargeBody(ctx);
            await StreamAsync(ctx, async ct =>
            {
                var image = await images.ImportRootfsAsync(ctx.Request.Body, reference, ct);
                return [new JsonMessage { Status = image.Id }];
            });
        });
    }

    /// <summary>Docker's query booleans (httputils.BoolValue): absent, "", "0", "no", "false", "none" are false; the
    /// docker CLI sends force=1, which ASP.NET's bool binding would refuse.</summary>
    public static bool BoolValue(string? value) =>
        value?.Trim().ToLowerInvariant() is not (null or "" or "0" or "no" or "false" or "none");

    /// <summary>Image archives are large and are read synchronously by the tar reader (on a pool thread).</summary>
    private static void AllowLargeBody(HttpContext ctx)
    {
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
        if (ctx.Features.Get<IHttpBodyControlFeature>() is { } body) body.AllowSynchronousIO = true;
    }

    /// <summary>Runs <paramref name="work"/> and writes its messages as JSON lines; an engine error becomes Docker's
    /// in-stream error message (status 200 already sent, as Docker does), so clients print it and exit non-zero.</summary>
    private static async Task StreamAsync(HttpContext ctx, Func<CancellationToken, Task<List<JsonMessage>>> work)
    {
        List<JsonMessage> messages;
        try
        {
            messages = await work(ctx.RequestAborted);
        }
        catch (EngineException e)
        {
            messages = [new JsonMessage { ErrorDetail = new JsonError { Message = e.Message }, Error = e.Message }];
            // Drain what the client still sends, so it sees our answer rather than a reset connection.
            try { await ctx.Request.Body.CopyToAsync(Stream.Null, ctx.RequestAborted); } catch (IOException) { } // includes BadHttpRequestException
        }
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        foreach (var m in messages)
        {
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(m, ApiJsonContext.Default.JsonMessage) + "\n", ctx.RequestAborted);
        }
    }

    public static ImageSummary ToSummary(ImageView i) => new()
    {
        Id = i.Id,
        RepoTags = [.. i.RepoTags],
        Created = i.Created.ToUnixTimeSeconds(),
        Size = i.Size,
        VirtualSize = i.Size,
    };

    public static ImageInspect ToInspect(ImageView i, IReadOnlyList<string> lowerDirs) => new()
    {
        Id = i.Id,
        RepoTags = [.. i.RepoTags],
        Created = i.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        Config = new ImageContainerConfig
        {
            User = i.Config.User ?? "",
            Env = i.Config.Env.Count > 0 ? [.. i.Config.Env] : null,
            Cmd = i.Config.Cmd is null ? null : [.. i.Config.Cmd],
            Entrypoint = i.Config.Entrypoint is null ? null : [.. i.Config.Entrypoint],
            WorkingDir = i.Config.WorkingDir ?? "",
        },
        Size = i.Size,
        VirtualSize = i.Size,
        GraphDriver = new GraphDriverData { Name = "overlay", Data = new() { ["LowerDir"] = string.Join(':', lowerDirs) } },
        RootFS = new ImageRootFs { Layers = [.. i.Layers] },
    };
}
