using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>Images made on the spot: well-formed ones with a known camera profile, and hostile ones.</summary>
public static class TestImages
{
    public const string Make = "Shopcam";
    public const string Model = "X-100 Test";
    public static readonly DateTime CapturedAt = new(2024, 5, 6, 7, 8, 9);
    public const double ExposureSeconds = 1d / 250;
    public const double FNumber = 2.8;
    public const int Iso = 400;
    public const double FocalLength = 35;
    public const double Latitude = 48.8583;   // 48° 51' 29.88" N
    public const double Longitude = -2.2945;  // 2° 17' 40.2" W

    public static readonly Rgba32 Left = new(220, 20, 20);
    public static readonly Rgba32 Right = new(20, 20, 220);

    /// <summary>A red left half and a blue right half, so a test can tell which way the image was turned.</summary>
    public static Image<Rgba32> TwoTone(int width, int height)
    {
        var image = new Image<Rgba32>(width, height, Right);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
                rows.GetRowSpan(y)[..(width / 2)].Fill(Left);
        });
        return image;
    }

    public static ExifProfile CameraExif(ushort orientation = 1)
    {
        var exif = new ExifProfile();
        exif.SetValue(ExifTag.Make, Make);
        exif.SetValue(ExifTag.Model, Model);
        exif.SetValue(ExifTag.Orientation, orientation);
        exif.SetValue(ExifTag.DateTimeOriginal, CapturedAt.ToString("yyyy:MM:dd HH:mm:ss"));
        exif.SetValue(ExifTag.ExposureTime, new Rational(1, 250));
        exif.SetValue(ExifTag.FNumber, new Rational(28, 10));
        exif.SetValue(ExifTag.ISOSpeedRatings, new ushort[] { Iso });
        exif.SetValue(ExifTag.FocalLength, new Rational(35, 1));
        exif.SetValue(ExifTag.GPSLatitudeRef, "N");
        exif.SetValue(ExifTag.GPSLatitude, new[] { new Rational(48, 1), new Rational(51, 1), new Rational(2988, 100) });
        exif.SetValue(ExifTag.GPSLongitudeRef, "W");
        exif.SetValue(ExifTag.GPSLongitude, new[] { new Rational(2, 1), new Rational(17, 1), new Rational(402, 10) });
        return exif;
    }

    public static byte[] Jpeg(int width = 400, int height = 200, ExifProfile? exif = null) =>
        Encode(width, height, exif, (image, stream) => image.SaveAsJpeg(stream));

    public static byte[] Png(int width = 400, int height = 200, ExifProfile? exif = null) =>
        Encode(width, height, exif, (image, stream) => image.SaveAsPng(stream, new PngEncoder()));

    public static byte[] Webp(int width = 400, int height = 200) =>
        Encode(width, height, null, (image, stream) => image.SaveAsWebp(stream, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }));

    static byte[] Encode(int width, int height, ExifProfile? exif, Action<Image, Stream> save)
    {
        using var image = TwoTone(width, height);
        image.Metadata.ExifProfile = exif;
        using var stream = new MemoryStream();
        save(image, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// A camera file whose writing stopped part-way: a real JPEG (with EXIF) cut at <paramref name="keep"/> of its
    /// entropy-coded data, no end-of-image marker.
    /// </summary>
    public static byte[] JpegCutOff(int width = 800, int height = 600, double keep = 0.5)
    {
        var jpeg = Jpeg(width, height, CameraExif());
        var startOfScan = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        var scanData = jpeg.Length - 2 - startOfScan;
        return jpeg[..(startOfScan + (int)(scanData * keep))];
    }

    /// <summary>
    /// A real JPEG rewritten as a DNL writer would have written it: the frame header says 0 lines and a DNL marker
    /// after the scan gives the height. With <paramref name="withDnl"/> false the marker is left out.
    /// </summary>
    public static byte[] JpegWithDnl(int width = 320, int height = 240, bool withDnl = true)
    {
        var jpeg = Jpeg(width, height, CameraExif());
        var frame = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        if (frame < 0)
            throw new InvalidOperationException("ImageSharp wrote no baseline frame header.");
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(frame + 5), 0);

        var endOfImage = jpeg.Length - 2;
        if (!withDnl)
            return jpeg;
        byte[] dnl = [0xFF, 0xDC, 0x00, 0x04, (byte)(height >> 8), (byte)height];
        return [.. jpeg[..endOfImage], .. dnl, .. jpeg[endOfImage..]];
    }

    /// <summary>The first part of a real JPEG: headers intact, the scan cut off.</summary>
    public static byte[] TruncatedJpeg()
    {
        var jpeg = Jpeg(800, 600, CameraExif());
        var startOfScan = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xDA]);
        return jpeg[..(startOfScan + 40)];
    }

    /// <summary>A PNG whose header declares <paramref name="width"/>×<paramref name="height"/> over a tiny (wrong) body.</summary>
    public static byte[] PngDeclaring(int width, int height) =>
        PngFile(width, height, bitDepth: 8, colorType: 2, ZLib(new byte[64]));

    /// <summary>
    /// A decompression bomb: 20000×20000 one-bit pixels, all zero, ~60 KB on disk, 400 million pixels (1.6 GB as RGBA)
    /// once decoded.
    /// </summary>
    public static byte[] PngBomb()
    {
        const int side = 20_000;
        var row = new byte[1 + side / 8];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (var y = 0; y < side; y++)
                zlib.Write(row);
        }

        return PngFile(side, side, bitDepth: 1, colorType: 0, compressed.ToArray());
    }

    /// <summary>A valid signature followed by noise.</summary>
    public static byte[] NoiseBehind(ReadOnlySpan<byte> signature, int length = 4096)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        signature.CopyTo(bytes);
        return bytes;
    }

    public static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    public static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF, 0xE0];

    public static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    internal static byte[] ZLib(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(data);
        return compressed.ToArray();
    }

    internal static byte[] PngFile(int width, int height, byte bitDepth, byte colorType, byte[] idat)
    {
        using var png = new MemoryStream();
        png.Write(PngSignature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", idat);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    internal static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.Write(crc);
    }

    // PNG's CRC-32 (the zlib polynomial), bit by bit: a few chunks per test need no table.
    static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }
}
