using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using MyDocker.Engine;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Errors in Docker's shape: a status code and <c>{"message": "..."}</c>.</summary>
public static class ApiErrors
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static Task Write(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(new ErrorResponse { Message = message }, ApiJsonContext.Default.ErrorResponse));
    }

    /// <summary>Maps engine errors to Docker statuses; anything unexpected is a 500 whose message still says what failed.</summary>
    public static IApplicationBuilder UseDockerErrors(this IApplicationBuilder app) => app.UseExceptionHandler(errorApp => errorApp.Run(ctx =>
    {
        var error = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
        return error switch
        {
            EngineException e => Write(ctx, StatusOf(e.Kind), e.Message),
            Engine.Containers.Runtime.ContainerStartException e => Write(ctx, StatusOf(e.Kind), e.Message),
            // Kestrel's own status: 413 for a body over the size limit (audit L7/L10: it was reported as 400), 400 for the rest.
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } e =>
                Write(ctx, e.StatusCode, $"the request body is too large: {e.Message}"),
            BadHttpRequestException e => Write(ctx, e.StatusCode, $"invalid request body: {e.Message}"),
            JsonException => Write(ctx, StatusCodes.Status400BadRequest, $"invalid request body: {error.Message}"),
            _ => Write(ctx, StatusCodes.Status500InternalServerError, error?.Message ?? "internal error"),
        };
    }));
}
