using ImageMagick;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// ImageMagick 7 in process (Magick.NET), doing what <c>convert photo.jpg -auto-orient -thumbnail 'NxN>' -quality Q</c>
/// does: read the whole photo, orient it, then per size <c>-thumbnail</c> (resize that also drops every profile).
/// No <c>jpeg:size</c> hint, as in the plain command.
/// </summary>
public sealed class ImageMagickThumbnails(ThumbnailWorkload workload) : ThumbnailVariant
{
    public override void Prepare() => _ = MagickNET.Version;

    public override Task<IReadOnlyList<ThumbnailOutput>> Render(byte[] photo, CancellationToken cancellationToken)
    {
        using var image = new MagickImage(photo);
        image.AutoOrient();

        var outputs = new List<ThumbnailOutput>();
        foreach (var size in workload.Sizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var thumbnail = image.Clone();
            thumbnail.Thumbnail(new MagickGeometry((uint)size, (uint)size) { Greater = true });
            thumbnail.Strip();
            thumbnail.Quality = (uint)workload.JpegQuality;
            outputs.Add(new ThumbnailOutput(size, "jpeg", (int)thumbnail.Width, (int)thumbnail.Height, thumbnail.ToByteArray(MagickFormat.Jpeg)));
            thumbnail.Quality = (uint)workload.WebpQuality;
            outputs.Add(new ThumbnailOutput(size, "webp", (int)thumbnail.Width, (int)thumbnail.Height, thumbnail.ToByteArray(MagickFormat.WebP)));
        }

        return Task.FromResult<IReadOnlyList<ThumbnailOutput>>(outputs);
    }
}
