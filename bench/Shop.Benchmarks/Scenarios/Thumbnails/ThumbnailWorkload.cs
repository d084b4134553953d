using Shop.Images.Worker;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// What every variant makes of one photo, so they do the same work: each thumbnail size of our pipeline in JPEG and
/// lossy WebP at our qualities, turned upright as its EXIF orientation says, with no metadata left.
/// </summary>
public sealed record ThumbnailWorkload(IReadOnlyList<int> Sizes, int JpegQuality, int WebpQuality)
{
    /// <summary>The sizes and qualities Images.Worker renders with its default configuration.</summary>
    public static ThumbnailWorkload OfThePipeline()
    {
        var defaults = new ThumbnailOptions();
        return new ThumbnailWorkload(defaults.EffectiveSizes, defaults.JpegQuality, defaults.WebpQuality);
    }
}

/// <summary>One encoded thumbnail; <see cref="Format"/> is <c>jpeg</c> or <c>webp</c>.</summary>
public sealed record ThumbnailOutput(int Size, string Format, int Width, int Height, byte[] Bytes);
