using System.Buffers.Binary;

namespace Shop.Images.Worker.Processing;

/// <summary>
/// What a file's container says before any pixel is decoded: how many frames it holds, how many pixels decoding all of
/// them costs, and how many metadata blocks it carries. Read by walking the container's own structure (PNG chunks, GIF
/// blocks, RIFF chunks, TIFF IFDs, JPEG segments) in one linear pass that never allocates in proportion to the file;
/// a structure that runs past the end of the file, loops or contradicts itself is refused here.
/// </summary>
/// <param name="DecodedPixels">
/// Pixels a decoder allocates for all frames (a GIF or WebP frame is composed on the full canvas); null where the
/// container leaves the dimensions to the codec (JPEG, BMP, a still WebP): then it is one frame of the header's size.
/// </param>
/// <param name="MetadataBlocks">Blocks that are not pixel data (text chunks, extensions, IFD entries, APP segments).</param>
public sealed record ImageStructure(string Format, int Frames, long? DecodedPixels, int MetadataBlocks)
{
    /// <summary>IFDs followed at most in a TIFF chain, whatever <c>MaxFrames</c> says: a sanity bound on the walk itself.</summary>
    const int MaxIfds = 10_000;

    /// <summary>The structure of a file in one of the formats we take, told by its signature; null for anything else.</summary>
    public static ImageStructure? Read(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return Png(file);
        if (file.StartsWith("GIF87a"u8) || file.StartsWith("GIF89a"u8))
            return Gif(file);
        if (file.Length >= 12 && file.StartsWith("RIFF"u8) && file[8..12].SequenceEqual("WEBP"u8))
            return Webp(file);
        if (file.StartsWith("II"u8) || file.StartsWith("MM"u8))
            return Tiff(file);
        if (file.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
            return Jpeg(file);
        if (file.StartsWith("BM"u8))
            return new ImageStructure("bmp", 1, null, 0);
        return null;
    }

    static ImageStructure Png(ReadOnlySpan<byte> file)
    {
        if (file.Length < 33 || !file.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw Truncated("PNG", "before its IHDR chunk");
        long width = BinaryPrimitives.ReadUInt32BigEndian(file[16..]);
        long height = BinaryPrimitives.ReadUInt32BigEndian(file[20..]);

        var offset = 8;
        int frameControls = 0, metadata = 0;
        var ended = false;
        while (offset < file.Length && !ended)
        {
            if (file.Length - offset < 12)
                throw Truncated("PNG", "inside a chunk header");
            var length = BinaryPrimitives.ReadUInt32BigEndian(file[offset..]);
            var type = file.Slice(offset + 4, 4);
            if (length > int.MaxValue || (long)offset + 12 + length > file.Length)
                throw Truncated("PNG", $"inside a chunk of {length} bytes");

            if (type.SequenceEqual("fcTL"u8))
                frameControls++;
            else if (type.SequenceEqual("IEND"u8))
                ended = true;
            else if (!type.SequenceEqual("IDAT"u8) && !type.SequenceEqual("fdAT"u8))
                metadata++;
            offset += 12 + (int)length;
        }

        if (!ended)
            throw Truncated("PNG", "before its IEND chunk");
        var frames = Math.Max(1, frameControls);
        return new ImageStructure("png", frames, frames * width * height, metadata);
    }

    static ImageStructure Gif(ReadOnlySpan<byte> file)
    {
        if (file.Length < 13)
            throw Truncated("GIF", "inside its header");
        var screen = (long)BinaryPrimitives.ReadUInt16LittleEndian(file[6..]) * BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        var offset = 13 + ColourTableLength(file[10]);
        int frames = 0, metadata = 0;
        long pixels = 0;
        while (true)
        {
            if (offset >= file.Length)
                throw Truncated("GIF", "before its trailer");
            switch (file[offset])
            {
                case 0x3B:
                    return new ImageStructure("gif", Math.Max(frames, 1), pixels, metadata);
                case 0x00:
                    // Empty sub-blocks between blocks: decoders skip them (ImageSharp reads one per row after a frame's end).
                    offset++;
                    break;
                case 0x21:
                    metadata++;
                    offset = SkipSubBlocks(file, offset + 2);
                    break;
                case 0x2C:
                    if (file.Length - offset < 11)
                        throw Truncated("GIF", "inside a frame descriptor");
                    var width = BinaryPrimitives.ReadUInt16LittleEndian(file[(offset + 5)..]);
                    var height = BinaryPrimitives.ReadUInt16LittleEndian(file[(offset + 7)..]);
                    if ((long)width * height > screen)
                    {
                        throw new InvalidImageException(
                            $"The GIF has a frame of {width}×{height} pixels, larger than its {BinaryPrimitives.ReadUInt16LittleEndian(file[6..])}×{BinaryPrimitives.ReadUInt16LittleEndian(file[8..])} screen.");
                    }

                    frames++;
                    // Each frame is composed on a canvas the size of the screen.
                    pixels += screen;
                    // Descriptor, local colour table, LZW minimum code size, then the data sub-blocks.
                    offset = SkipSubBlocks(file, offset + 10 + ColourTableLength(file[offset + 9]) + 1);
                    break;
                default:
                    throw new InvalidImageException($"The GIF has an unknown block 0x{file[offset]:X2} at byte {offset}.");
            }
        }
    }

    static int ColourTableLength(byte packed) => (packed & 0x80) == 0 ? 0 : 3 << ((packed & 0x07) + 1);

    static int SkipSubBlocks(ReadOnlySpan<byte> file, int offset)
    {
        while (true)
        {
            if (offset >= file.Length)
                throw Truncated("GIF", "inside a block");
            var size = file[offset];
            offset += 1 + size;
            if (size == 0)
                return offset;
        }
    }

    static ImageStructure Webp(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12)
            throw Truncated("WebP", "inside its RIFF header");
        var riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(file[4..]);
        if (riffEnd > file.Length)
            throw Truncated("WebP", $"after {file.Length} of the {riffEnd} bytes its RIFF header declares");

        long? canvas = null;
        var offset = 12;
        int frames = 0, metadata = 0;
        while (offset < riffEnd)
        {
            if (riffEnd - offset < 8)
                throw Truncated("WebP", "inside a chunk header");
            var type = file.Slice(offset, 4);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            if (offset + 8L + length > riffEnd)
                throw Truncated("WebP", $"inside a chunk of {length} bytes");

            if (type.SequenceEqual("VP8X"u8) && length >= 10)
                canvas = (ReadUInt24(file[(offset + 12)..]) + 1L) * (ReadUInt24(file[(offset + 15)..]) + 1L);
            else if (type.SequenceEqual("ANMF"u8))
                frames++;
            else if (!type.SequenceEqual("VP8 "u8) && !type.SequenceEqual("VP8L"u8) && !type.SequenceEqual("ALPH"u8))
                metadata++;
            offset += 8 + (int)length + (int)(length & 1);
        }

        frames = Math.Max(frames, 1);
        return new ImageStructure("webp", frames, frames * canvas, metadata);
    }

    static ImageStructure Tiff(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8)
            throw Truncated("TIFF", "inside its header");
        var bigEndian = file[0] == (byte)'M';
        if (Read16(file, 2, bigEndian) != 42)
            throw new InvalidImageException("The TIFF is a BigTIFF or not a TIFF; only classic TIFF is supported.");

        var visited = new HashSet<uint>();
        var offset = Read32(file, 4, bigEndian);
        int frames = 0, entries = 0;
        long pixels = 0;
        while (offset != 0)
        {
            if (!visited.Add(offset) || visited.Count > MaxIfds)
                throw new InvalidImageException($"The TIFF's chain of image directories loops back to byte {offset}.");
            if (offset > file.Length - 2)
                throw Truncated("TIFF", $"before its image directory at byte {offset}");
            var count = Read16(file, (int)offset, bigEndian);
            var end = (long)offset + 2 + 12L * count + 4;
            if (end > file.Length)
                throw Truncated("TIFF", $"inside its image directory at byte {offset}");

            long width = 0, height = 0;
            for (var i = 0; i < count; i++)
            {
                var entry = (int)offset + 2 + 12 * i;
                var tag = Read16(file, entry, bigEndian);
                if (tag is 256 or 257)
                {
                    // SHORT (3) or LONG (4), one value, held in the entry itself.
                    var value = Read16(file, entry + 2, bigEndian) == 3 ? Read16(file, entry + 8, bigEndian) : Read32(file, entry + 8, bigEndian);
                    if (tag == 256)
                        width = value;
                    else
                        height = value;
                }
            }

            frames++;
            entries += count;
            pixels += width * height;
            offset = Read32(file, (int)end - 4, bigEndian);
        }

        if (frames == 0)
            throw new InvalidImageException("The TIFF has no image directory.");
        return new ImageStructure("tiff", frames, pixels, entries);
    }

    static ImageStructure Jpeg(ReadOnlySpan<byte> file)
    {
        // Segments up to the first scan; after it comes entropy-coded data, which carries no metadata.
        var offset = 2;
        var segments = 0;
        while (offset + 4 <= file.Length && file[offset] == 0xFF)
        {
            var marker = file[offset + 1];
            if (marker == 0xFF)
            {
                offset++;
                continue;
            }

            if (marker == 0xDA)
                return new ImageStructure("jpeg", 1, null, segments);
            var length = BinaryPrimitives.ReadUInt16BigEndian(file[(offset + 2)..]);
            if (offset + 2 + length > file.Length)
                throw Truncated("JPEG", $"inside a segment of {length} bytes");
            segments++;
            offset += 2 + length;
        }

        throw Truncated("JPEG", "before its image data");
    }

    static int ReadUInt24(ReadOnlySpan<byte> bytes) => bytes[0] | bytes[1] << 8 | bytes[2] << 16;

    static ushort Read16(ReadOnlySpan<byte> file, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(file[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(file[offset..]);

    static uint Read32(ReadOnlySpan<byte> file, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(file[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(file[offset..]);

    static InvalidImageException Truncated(string format, string where) =>
        new($"The {format} ends {where} (the file is truncated or mis-sized).");
}
