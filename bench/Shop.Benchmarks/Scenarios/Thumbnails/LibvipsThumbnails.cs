using NetVips;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// libvips the way its documentation recommends (what <c>vipsthumbnail</c> does): one <c>thumbnail</c> call per size
/// straight from the compressed bytes, which shrinks while decoding the JPEG and turns the image upright; saved with
/// <c>keep=none</c> so no metadata is written.
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
        foreach (var size in workload.Sizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The pipeline reads the JPEG sequentially, so it can be evaluated once: rendered into memory, the small
            // result is then saved twice.
            using var streamed = Image.ThumbnailBuffer(photo, size, height: size, size: Enums.Size.Down);
            using var thumbnail = streamed.CopyMemory();
            outputs.Add(new ThumbnailOutput(size, "jpeg", thumbnail.Width, thumbnail.Height,
                thumbnail.JpegsaveBuffer(q: workload.JpegQuality, keep: Enums.ForeignKeep.None)));
            outputs.Add(new ThumbnailOutput(size, "webp", thumbnail.Width, thumbnail.Height,
                thumbnail.WebpsaveBuffer(q: workload.WebpQuality, keep: Enums.ForeignKeep.None)));
        }

        return Task.FromResult<IReadOnlyList<ThumbnailOutput>>(outputs);
    }
}
