using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Processing;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// ImageSharp 2.1 as its documentation shows it, nothing tuned: load with the default configuration, auto-orient,
/// resize a clone per size with the default resampler (bicubic), save. No caps, no deadline.
/// </summary>
public sealed class ImageSharpDefaultThumbnails(ThumbnailWorkload workload) : ThumbnailVariant
{
    public override Task<IReadOnlyList<ThumbnailOutput>> Render(byte[] photo, CancellationToken cancellationToken)
    {
        using var image = Image.Load(photo);
        image.Mutate(x => x.AutoOrient());
        image.Metadata.ExifProfile = null;
        image.Metadata.XmpProfile = null;
        image.Metadata.IccProfile = null;
        image.Metadata.IptcProfile = null;

        var outputs = new List<ThumbnailOutput>();
        foreach (var size in workload.Sizes)
        {
            using var thumbnail = image.Clone(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Max }));
            outputs.Add(Save(thumbnail, size, "jpeg", new JpegEncoder { Quality = workload.JpegQuality }));
            outputs.Add(Save(thumbnail, size, "webp", new WebpEncoder { Quality = workload.WebpQuality, FileFormat = WebpFileFormatType.Lossy }));
        }

        return Task.FromResult<IReadOnlyList<ThumbnailOutput>>(outputs);
    }

    static ThumbnailOutput Save(Image thumbnail, int size, string format, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var output = new MemoryStream();
        thumbnail.Save(output, encoder);
        return new ThumbnailOutput(size, format, thumbnail.Width, thumbnail.Height, output.ToArray());
    }
}
