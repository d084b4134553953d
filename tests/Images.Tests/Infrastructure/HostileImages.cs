using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>
/// Crafted files, written byte by byte: small on disk, expensive (or malformed) once a decoder or a metadata reader
/// believes them. Every structure is valid as far as it goes, so a parser cannot refuse it for being noise.
/// </summary>
public static class HostileImages
{
    /// <summary>
    /// A GIF of <paramref name="frames"/> frames that each cover the whole <paramref name="width"/>×<paramref name="height"/>
    /// screen in one colour: ImageSharp's own encoding of such a frame, repeated (a few KB a frame, LZW loves one colour).
    /// </summary>
    public static byte[] GifFlood(int width, int height, int frames)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(200, 30, 30));
        image.Frames.AddFrame(image.Frames.RootFrame);
        using var encoded = new MemoryStream();
        image.SaveAsGif(encoded);
        var gif = encoded.ToArray();

        // Everything from the second frame's graphic control extension to the trailer is one frame: repeat it.
        var secondFrame = GifBlockStarts(gif).Where(start => gif[start] == 0x21 && gif[start + 1] == 0xF9).ElementAt(1);
        var frame = gif.AsSpan(secondFrame, gif.Length - 1 - secondFrame).ToArray();
        using var flood = new MemoryStream();
        flood.Write(gif, 0, secondFrame);
        for (var i = 1; i < frames; i++)
            flood.Write(frame);
        flood.WriteByte(0x3B);
        return flood.ToArray();
    }

    static IEnumerable<int> GifBlockStarts(byte[] gif)
    {
        var offset = 13 + ((gif[10] & 0x80) == 0 ? 0 : 3 << ((gif[10] & 7) + 1));
        while (gif[offset] != 0x3B)
        {
            yield return offset;
            offset = gif[offset] == 0x21
                ? SkipGifSubBlocks(gif, offset + 2)
                : SkipGifSubBlocks(gif, offset + 10 + ((gif[offset + 9] & 0x80) == 0 ? 0 : 3 << ((gif[offset + 9] & 7) + 1)) + 1);
        }
    }

    static int SkipGifSubBlocks(byte[] gif, int offset)
    {
        while (gif[offset] != 0)
            offset += 1 + gif[offset];
        return offset + 1;
    }

    /// <summary>A GIF whose one frame is far larger than its logical screen.</summary>
    public static byte[] GifFrameLargerThanScreen() => Gif(10, 10, [(20_000, 20_000)]);

    /// <summary>A GIF cut off inside its second frame.</summary>
    public static byte[] TruncatedGif()
    {
        var gif = GifFlood(64, 64, 3);
        return gif[..(gif.Length - 25)];
    }

    static byte[] Gif(int width, int height, (int Width, int Height)[] frames)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteUInt16(gif, width);
        WriteUInt16(gif, height);
        gif.Write([0x00, 0x00, 0x00]); // no global colour table
        foreach (var (frameWidth, frameHeight) in frames)
        {
            gif.WriteByte(0x2C);
            WriteUInt16(gif, 0);
            WriteUInt16(gif, 0);
            WriteUInt16(gif, frameWidth);
            WriteUInt16(gif, frameHeight);
            gif.WriteByte(0x80); // a local colour table of two entries
            gif.Write([0, 0, 0, 255, 255, 255]);
            // LZW minimum code size 2, then one sub-block holding "clear, end of information" in 3-bit codes.
            gif.Write([0x02, 0x01, 0x2C, 0x00]);
        }

        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    /// <summary>A TIFF of <paramref name="frames"/> pages of <paramref name="width"/>×<paramref name="height"/> one-bit pixels, all sharing one deflated strip of zeros.</summary>
    public static byte[] TiffFlood(int width, int height, int frames)
    {
        var strip = Deflated(new byte[(width + 7) / 8 * height]);
        const int entries = 9;
        const int ifdLength = 2 + entries * 12 + 4;
        var stripOffset = 8 + frames * ifdLength;

        using var tiff = new MemoryStream();
        tiff.Write("II*\0"u8);
        WriteUInt32(tiff, 8);
        for (var frame = 0; frame < frames; frame++)
        {
            var next = frame == frames - 1 ? 0 : 8 + (frame + 1) * ifdLength;
            WriteIfd(tiff, width, height, stripOffset, strip.Length, next);
        }

        tiff.Write(strip);
        return tiff.ToArray();
    }

    /// <summary>A one-page TIFF whose IFD names itself as the next one: a reader that follows the chain never stops.</summary>
    public static byte[] TiffIfdLoop()
    {
        var strip = Deflated(new byte[1]);
        using var tiff = new MemoryStream();
        tiff.Write("II*\0"u8);
        WriteUInt32(tiff, 8);
        WriteIfd(tiff, 1, 1, 8 + 2 + 9 * 12 + 4, strip.Length, next: 8);
        tiff.Write(strip);
        return tiff.ToArray();
    }

    /// <summary>A TIFF whose first IFD lies beyond the end of the file.</summary>
    public static byte[] TiffIfdOutsideTheFile()
    {
        var tiff = TiffFlood(16, 16, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 1_000_000);
        return tiff;
    }

    static void WriteIfd(Stream tiff, int width, int height, int stripOffset, int stripLength, int next)
    {
        WriteUInt16(tiff, 9);
        WriteEntry(tiff, 256, 4, (uint)width);   // ImageWidth, LONG
        WriteEntry(tiff, 257, 4, (uint)height);  // ImageLength
        WriteEntry(tiff, 258, 3, 1);             // BitsPerSample, SHORT
        WriteEntry(tiff, 259, 3, 8);             // Compression: Deflate
        WriteEntry(tiff, 262, 3, 1);             // PhotometricInterpretation: BlackIsZero
        WriteEntry(tiff, 273, 4, (uint)stripOffset);
        WriteEntry(tiff, 277, 3, 1);             // SamplesPerPixel
        WriteEntry(tiff, 278, 4, (uint)height);  // RowsPerStrip: one strip
        WriteEntry(tiff, 279, 4, (uint)stripLength);
        WriteUInt32(tiff, (uint)next);
    }

    static void WriteEntry(Stream tiff, ushort tag, ushort type, uint value)
    {
        WriteUInt16(tiff, tag);
        WriteUInt16(tiff, type);
        WriteUInt32(tiff, 1);
        // A SHORT sits in the first two bytes of the value field, left-justified.
        if (type == 3)
        {
            WriteUInt16(tiff, (int)value);
            WriteUInt16(tiff, 0);
        }
        else
        {
            WriteUInt32(tiff, value);
        }
    }

    /// <summary>
    /// An animated WebP: a <paramref name="width"/>×<paramref name="height"/> canvas and <paramref name="frames"/>
    /// frames, each the same tiny lossless bitstream of a one-colour image that size.
    /// </summary>
    public static byte[] WebpFlood(int width, int height, int frames)
    {
        var bitstream = LosslessBitstream(width, height);
        using var body = new MemoryStream();
        body.Write("WEBP"u8);
        var vp8x = new byte[10];
        vp8x[0] = 0x02; // animation
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);
        WriteRiffChunk(body, "VP8X", vp8x);
        WriteRiffChunk(body, "ANIM", [0, 0, 0, 0, 0, 0]);
        for (var frame = 0; frame < frames; frame++)
        {
            using var anmf = new MemoryStream();
            var header = new byte[16];
            WriteUInt24(header.AsSpan(6), width - 1);
            WriteUInt24(header.AsSpan(9), height - 1);
            WriteUInt24(header.AsSpan(12), 100);
            anmf.Write(header);
            WriteRiffChunk(anmf, "VP8L", bitstream);
            WriteRiffChunk(body, "ANMF", anmf.ToArray());
        }

        return Riff(body.ToArray());
    }

    /// <summary>A lossless WebP cut off in the middle of its bitstream (its RIFF header still claims the whole length).</summary>
    public static byte[] TruncatedWebp()
    {
        var webp = TestImages.Webp(400, 200);
        return webp[..(webp.Length / 2)];
    }

    static readonly Dictionary<(int, int), byte[]> Bitstreams = [];

    static byte[] LosslessBitstream(int width, int height)
    {
        lock (Bitstreams)
        {
            if (Bitstreams.TryGetValue((width, height), out var cached))
                return cached;

            using var image = new Image<Rgba32>(width, height, new Rgba32(10, 200, 30));
            using var stream = new MemoryStream();
            image.SaveAsWebp(stream, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
            var file = stream.ToArray();
            // RIFF header (12 bytes), then the one VP8L chunk: fourcc, length, bitstream.
            var length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16));
            return Bitstreams[(width, height)] = file.AsSpan(20, length).ToArray();
        }
    }

    static byte[] Riff(byte[] body)
    {
        using var riff = new MemoryStream();
        riff.Write("RIFF"u8);
        WriteUInt32(riff, (uint)body.Length);
        riff.Write(body);
        return riff.ToArray();
    }

    static void WriteRiffChunk(Stream stream, string fourCc, byte[] data)
    {
        stream.Write(Encoding.ASCII.GetBytes(fourCc));
        WriteUInt32(stream, (uint)data.Length);
        stream.Write(data);
        if (data.Length % 2 == 1)
            stream.WriteByte(0);
    }

    /// <summary>
    /// An APNG: <paramref name="frames"/> frames of <paramref name="width"/>×<paramref name="height"/> one-bit zeros
    /// (an <c>acTL</c>, then an <c>fcTL</c> before the <c>IDAT</c> and before each <c>fdAT</c>).
    /// </summary>
    public static byte[] ApngFlood(int width, int height, int frames)
    {
        var data = Deflated(ZeroRows(width, height));
        using var png = new MemoryStream();
        png.Write(TestImages.PngSignature);
        TestImages.WriteChunk(png, "IHDR", Ihdr(width, height));
        TestImages.WriteChunk(png, "acTL", [.. BigEndian(frames), .. BigEndian(0)]);
        var sequence = 0;
        for (var frame = 0; frame < frames; frame++)
        {
            var fcTL = new byte[26];
            BinaryPrimitives.WriteInt32BigEndian(fcTL, sequence++);
            BinaryPrimitives.WriteInt32BigEndian(fcTL.AsSpan(4), width);
            BinaryPrimitives.WriteInt32BigEndian(fcTL.AsSpan(8), height);
            BinaryPrimitives.WriteUInt16BigEndian(fcTL.AsSpan(20), 1);
            BinaryPrimitives.WriteUInt16BigEndian(fcTL.AsSpan(22), 10);
            TestImages.WriteChunk(png, "fcTL", fcTL);
            if (frame == 0)
                TestImages.WriteChunk(png, "IDAT", data);
            else
                TestImages.WriteChunk(png, "fdAT", [.. BigEndian(sequence++), .. data]);
        }

        TestImages.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 1×1 PNG carrying <paramref name="chunks"/> tiny <c>tEXt</c> chunks (about 17 bytes each).</summary>
    public static byte[] PngTextFlood(int chunks)
    {
        using var png = new MemoryStream();
        png.Write(TestImages.PngSignature);
        TestImages.WriteChunk(png, "IHDR", Ihdr(1, 1));
        for (var i = 0; i < chunks; i++)
            TestImages.WriteChunk(png, "tEXt", "k\0v"u8.ToArray());
        TestImages.WriteChunk(png, "IDAT", Deflated(ZeroRows(1, 1)));
        TestImages.WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A real PNG cut off inside its image data.</summary>
    public static byte[] TruncatedPng()
    {
        var png = TestImages.Png(400, 200);
        var idat = png.AsSpan().IndexOf("IDAT"u8);
        return png[..(idat + 4 + (png.Length - idat) / 3)];
    }

    static byte[] Ihdr(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 1; // bit depth
        ihdr[9] = 0; // greyscale
        return ihdr;
    }

    static byte[] ZeroRows(int width, int height) => new byte[(1 + (width + 7) / 8) * height];

    static byte[] Deflated(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(data);
        return compressed.ToArray();
    }

    static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    static void WriteUInt16(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
        stream.Write(bytes);
    }

    static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)(value >> 16);
    }
}
