using System.Buffers.Binary;

namespace Shop.ProductImages.Upload;

/// <param name="Name">The format as <c>ImageUploaded.Format</c> carries it.</param>
public sealed record SniffedFormat(string Name, string ContentType);

/// <summary>Tells the image format from the file's first bytes; the file name and the client's content type are never trusted.</summary>
public static class ImageFormatSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> needs to see.</summary>
    public const int HeaderLength = 32;

    public static readonly SniffedFormat Jpeg = new("jpeg", "image/jpeg");
    public static readonly SniffedFormat Png = new("png", "image/png");
    public static readonly SniffedFormat Gif = new("gif", "image/gif");
    public static readonly SniffedFormat Webp = new("webp", "image/webp");
    public static readonly SniffedFormat Tiff = new("tiff", "image/tiff");
    public static readonly SniffedFormat Bmp = new("bmp", "image/bmp");

    public static readonly IReadOnlyList<SniffedFormat> All = [Jpeg, Png, Gif, Webp, Tiff, Bmp];

    static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static SniffedFormat? Sniff(ReadOnlySpan<byte> header)
    {
        if (header is [0xFF, 0xD8, 0xFF, ..])
            return Jpeg;
        if (header.StartsWith(PngSignature))
            return Png;
        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8))
            return Gif;
        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8))
            return Webp;
        if (header.StartsWith("II*\0"u8) || header.StartsWith("MM\0*"u8))
            return Tiff;
        if (IsBmp(header))
            return Bmp;
        return null;
    }

    // "BM" alone is too weak a signature: also require one of the known DIB header sizes at offset 14.
    static bool IsBmp(ReadOnlySpan<byte> header) =>
        header.Length >= 18 && header.StartsWith("BM"u8) &&
        BinaryPrimitives.ReadUInt32LittleEndian(header[14..18]) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
}
