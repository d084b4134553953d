using NetVips;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// libvips at its best for several sizes of one photo: <c>thumbnail</c> from the compressed bytes for the largest box
/// (shrinking while it decodes the JPEG, turning the image upright), then each smaller size from the one before, so
/// the JPEG is decoded once as in the other variants; saved with <c>keep=none</c> so no metadata is written.
/// </summary>
public sealed class LibvipsThumbnails(ThumbnailWorkload workload) : ThumbnailVariant
{
    public override void Prepare()
    {
        // Every photo is rendered once per round after the warm-up, but the warm-up photo comes round again: without
        // this, libvips's operation cache could answer that one from memory.
        Cache.Max = 0;
        _ = NetVips.NetVips.Version(0);
    }

    public override Task<IReadOnlyList<ThumbnailOutput>> Render(byte[] photo, CancellationToken cancellationToken)
    {
        var outputs = new List<ThumbnailOutput>();
        Image? larger = null;
        try
        {
            foreach (var size in workload.Sizes.OrderDescending())
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Rendered into memory once: the pipeline from the JPEG reads it sequentially, so it could not be
                // evaluated again for the second format, and the next size starts from it.
                using var streamed = larger is null
                    ? Image.ThumbnailBuffer(photo, size, height: size, size: Enums.Size.Down)
                    : larger.ThumbnailImage(size, height: size, size: Enums.Size.Down);
                var thumbnail = streamed.CopyMemory();
                larger?.Dispose();
                larger = thumbnail;
                outputs.Add(new ThumbnailOutput(size, "jpeg", thumbnail.Width, thumbnail.Height,
                    thumbnail.JpegsaveBuffer(q: workload.JpegQuality, keep: Enums.ForeignKeep.None)));
                outputs.Add(new ThumbnailOutput(size, "webp", thumbnail.Width, thumbnail.Height,
                    thumbnail.WebpsaveBuffer(q: workload.WebpQuality, keep: Enums.ForeignKeep.None)));
            }
        }
        finally
        {
            larger?.Dispose();
        }

        return Task.FromResult<IReadOnlyList<ThumbnailOutput>>(outputs);
    }
}
