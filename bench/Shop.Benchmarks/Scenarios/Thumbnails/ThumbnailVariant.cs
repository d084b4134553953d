namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>One way of producing the <see cref="ThumbnailWorkload"/> from a photo's bytes.</summary>
public abstract class ThumbnailVariant : IDisposable
{
    public const string Ours = "ours";
    public const string ImageSharpDefaults = "imagesharp";
    public const string Libvips = "libvips";
    public const string ImageMagick = "imagemagick";

    public static readonly IReadOnlyList<string> All = [Ours, ImageSharpDefaults, Libvips, ImageMagick];

    public static string Label(string name) => name switch
    {
        Ours => "ours (Images.Worker)",
        ImageSharpDefaults => "ImageSharp 2.1 defaults",
        Libvips => "libvips (NetVips)",
        ImageMagick => "ImageMagick -thumbnail",
        _ => name,
    };

    public static ThumbnailVariant Create(string name, ThumbnailWorkload workload) => name switch
    {
        Ours => new OurThumbnailStep(),
        ImageSharpDefaults => new ImageSharpDefaultThumbnails(workload),
        Libvips => new LibvipsThumbnails(workload),
        ImageMagick => new ImageMagickThumbnails(workload),
        _ => throw new ArgumentException($"No thumbnail variant '{name}'; known: {string.Join(", ", All)}.", nameof(name)),
    };

    /// <summary>Loads what the variant needs (native libraries above all) before its memory is measured.</summary>
    public virtual void Prepare()
    {
    }

    public abstract Task<IReadOnlyList<ThumbnailOutput>> Render(byte[] photo, CancellationToken cancellationToken);

    public virtual void Dispose()
    {
    }
}
