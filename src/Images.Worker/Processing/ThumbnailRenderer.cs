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
/// <remarks>
/// Shaped by benchmark scenario 7 (docs/performance.md): the full-size image is resampled once, for the largest box;
/// each smaller thumbnail is resampled from a larger one when that is at least twice its size, and only thumbnails
/// are turned upright, never the full-size image.
/// </remarks>
public sealed class ThumbnailRenderer(IOptions<ImageProcessingOptions> options)
{
    readonly ThumbnailOptions _options = options.Value.Thumbnails;

    public IReadOnlyList<int> Sizes => _options.EffectiveSizes;

    public IReadOnlyList<RenderedThumbnail> Render(Image decoded, CancellationToken cancellationToken)
    {
        // An animation's thumbnail is its first frame; resizing every frame would only cost time.
        using var still = decoded.Frames.Count > 1 ? decoded.Frames.CloneFrame(0) : null;
        var source = still ?? decoded;

        var thumbnails = new List<RenderedThumbnail>();
        Image? larger = null;
        var sideways = false;
        try
        {
            foreach (var size in Sizes.OrderDescending())
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Fitting a square box, the stored image's fit turned sideways is the upright image's fit.
                var (width, height) = Fit(source.Width, source.Height, size);
                Image thumbnail;
                if (larger is not null && Math.Max(larger.Width, larger.Height) >= 2 * Math.Max(width, height))
                {
                    thumbnail = sideways ? larger.Clone(x => x.Resize(height, width)) : larger.Clone(x => x.Resize(width, height));
                }
                else
                {
                    thumbnail = source.Clone(x => x.Resize(width, height).AutoOrient());
                    sideways = width != height && thumbnail.Width == height;
                }

                StripMetadata(thumbnail);
                larger?.Dispose();
                larger = thumbnail;
                foreach (var format in ThumbnailFormat.All)
                    thumbnails.Add(new RenderedThumbnail(size, format, thumbnail.Width, thumbnail.Height, Encode(thumbnail, format)));
            }
        }
        finally
        {
            larger?.Dispose();
        }

        return thumbnails.OrderBy(t => t.Size).ToList();
    }

    /// <summary>The largest size within a <paramref name="box"/>×<paramref name="box"/> square with the same aspect ratio, at most the original.</summary>
    public static (int Width, int Height) Fit(int width, int height, int box)
    {
        var scale = Math.Min(1d, (double)box / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    byte[] Encode(Image image, ThumbnailFormat format)
    {
        using var output = new MemoryStream();
        if (format == ThumbnailFormat.Jpeg)
        {
            var encoder = new JpegEncoder { Quality = _options.JpegQuality };
            if (HasNoAlpha(image))
            {
                image.Save(output, encoder);
            }
            else
            {
                // JPEG has no alpha: put transparent areas on white rather than on whatever colour they hide.
                using var flattened = image.Clone(x => x.BackgroundColor(Color.White));
                flattened.Save(output, encoder);
            }
        }
        else
        {
            // Method 1 rather than ImageSharp's default 4: on camera photos at our quality it writes files as small,
            // with the same PSNR, in about a sixth of the time (measured for scenario 7, docs/performance.md).
            image.Save(output, new WebpEncoder
            {
                Quality = _options.WebpQuality,
                FileFormat = WebpFileFormatType.Lossy,
                Method = WebpEncodingMethod.Level1,
            });
        }

        return output.ToArray();
    }

    // The pixel formats ImageSharp 2 decodes opaque files into (JPEG gives RGB or grey). PixelType.AlphaRepresentation
    // would say so, but ImageSharp 2 leaves it unset for every format.
    static bool HasNoAlpha(Image image) => image is Image<Rgb24> or Image<L8> or Image<Rgb48> or Image<L16> or Image<Bgr24>;

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
