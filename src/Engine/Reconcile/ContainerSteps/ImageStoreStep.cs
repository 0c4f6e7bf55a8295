using MyDocker.Engine.Images;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>What a crash can leave in the image store: half-unpacked or half-deleted layers, load spools, layers no image
/// references (<see cref="ImageService.CleanUpAfterCrash"/>). Last of the container orphan steps, as before the split.</summary>
public sealed class ImageStoreStep(ImageService images) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        result.Attempt("image store", () => result.Report.Removed.AddRange(images.CleanUpAfterCrash()));
        return Task.CompletedTask;
    }
}
