using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Shop.Images.Worker.Processing;

/// <summary>One encoded thumbnail, ready to store.</summary>
public sealed record RenderedThumbnail(int Size, ThumbnailFormat Format, int Width, int Height, byte[] Bytes);

/// <summary>An output format of the thumbnails.</summary>
public sealed record ThumbnailFormat(string Name, string Extension, string ContentType)
{
    public static readonly ThumbnailFormat Jpeg = new("jpeg", "jpg", "image/jpeg");
    public static readonly ThumbnailFormat Webp = new("webp", "webp", "image/webp");
    public static readonly IReadOnlyList<ThumbnailFormat> All = [Jpeg, Webp];
}

/// <summary>
/// Turns a decoded image into thumbnails: turned upright as its EXIF orientation says, scaled down (never up) to fit
/// each configured box with its aspect ratio, every metadata profile removed so nothing (GPS above all) leaks out.
/// </summary>
public sealed class ThumbnailRenderer(IOptions<ImageProcessingOptions> options)
{
    readonly ThumbnailOptions _options = options.Value.Thumbnails;

    public IReadOnlyList<int> Sizes => _options.EffectiveSizes;

    public IReadOnlyList<RenderedThumbnail> Render(Image<Rgba32> decoded, CancellationToken cancellationToken)
    {
        // An animation's thumbnail is its first frame; resizing every frame would only cost time.
        using var still = decoded.Frames.Count > 1 ? decoded.Frames.CloneFrame(0) : null;
        var image = still ?? decoded;
        image.Mutate(x => x.AutoOrient());
        StripMetadata(image);

        var thumbnails = new List<RenderedThumbnail>();
        foreach (var size in Sizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (width, height) = Fit(image.Width, image.Height, size);
            using var resized = image.Clone(x => x.Resize(width, height));
            foreach (var format in ThumbnailFormat.All)
                thumbnails.Add(new RenderedThumbnail(size, format, width, height, Encode(resized, format)));
        }

        return thumbnails;
    }

    /// <summary>The largest size within a <paramref name="box"/>×<paramref name="box"/> square with the same aspect ratio, at most the original.</summary>
    public static (int Width, int Height) Fit(int width, int height, int box)
    {
        var scale = Math.Min(1d, (double)box / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    byte[] Encode(Image<Rgba32> image, ThumbnailFormat format)
    {
        using var output = new MemoryStream();
        if (format == ThumbnailFormat.Jpeg)
        {
            // JPEG has no alpha: put transparent areas on white rather than on whatever colour they hide.
            using var flattened = image.Clone(x => x.BackgroundColor(Color.White));
            flattened.Save(output, new JpegEncoder { Quality = _options.JpegQuality });
        }
        else
        {
            image.Save(output, new WebpEncoder { Quality = _options.WebpQuality, FileFormat = WebpFileFormatType.Lossy });
        }

        return output.ToArray();
    }

    static void StripMetadata(Image image)
    {
        image.Metadata.ExifProfile = null;
        image.Metadata.IccProfile = null;
        image.Metadata.IptcProfile = null;
        image.Metadata.XmpProfile = null;
        foreach (var frame in image.Frames)
        {
            frame.Metadata.ExifProfile = null;
            frame.Metadata.IccProfile = null;
            frame.Metadata.IptcProfile = null;
            frame.Metadata.XmpProfile = null;
        }
    }
}
