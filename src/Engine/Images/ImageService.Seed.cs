using Microsoft.Extensions.Logging;

namespace MyDocker.Engine.Images;

public sealed partial class ImageService
{
    private Task _seeding = Task.CompletedTask;

    /// <summary>
    /// Starts importing, in the background, every seed tarball &lt;data-root&gt;/image/NAME.tar whose NAME:latest is not
    /// an image yet (the seed's convention: such a file is image NAME, with no import step). Before, a seed became an
    /// image only when something asked for it by name, so `images` and the dashboard's run form did not offer it to a
    /// new user. <see cref="ListAsync"/> waits for this to finish, so a listing never misses a seed. A tarball that
    /// cannot be imported is logged by name and skipped; it never stops the daemon. Call once, after the start-up
    /// clean-up (<see cref="CleanUpAfterCrash"/>). Files added later are still imported on first use by name.
    /// </summary>
    public void StartSeedImport() => _seeding = Task.Run(ImportSeedsAsync);

    private async Task ImportSeedsAsync()
    {
        List<string> files;
        try { files = Directory.Exists(ImageRoot) ? Directory.EnumerateFiles(ImageRoot, "*.tar").Order(StringComparer.Ordinal).ToList() : []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Cannot list seed tarballs in {Dir}: {Error}", ImageRoot, e.Message);
            return;
        }
        foreach (var path in files)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (SeedTarball(name) is null)
            {
                logger.LogWarning("Seed tarball {Path} is not imported: {Name} is not a valid image name (lower-case, no '/')", path, name);
                continue;
            }
            try
            {
                var image = await GetAsync(name, CancellationToken.None);
                logger.LogInformation("Seed tarball {Path} is image {Name} ({Id})", path, name, image.Id);
            }
            catch (Exception e)
            {
                logger.LogWarning("Seed tarball {Path} could not be imported as image {Name}, skipped: {Error}", path, name, e.Message);
            }
        }
    }
}
