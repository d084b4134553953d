using System.Buffers.Binary;

namespace Shop.Images.Worker.Processing;

/// <summary>
/// The original without its metadata, byte for byte otherwise: the pixels are not re-encoded. Removed are the blocks
/// that carry EXIF (GPS, camera serial numbers, dates), XMP, IPTC and comments; kept are those that change how the
/// pixels look (ICC profiles, JFIF/Adobe colour markers, animation control). Only for files that passed
/// <see cref="ImageStructure.Read"/>, so every length has been checked already.
/// </summary>
/// <remarks>
/// A JPEG's EXIF orientation is kept, in a new EXIF block that holds nothing else, so viewers still turn it upright;
/// other formats lose it with the rest (the thumbnails are upright anyway). TIFF keeps its metadata in the same
/// directories as its pixel layout, so it is not stripped.
/// </remarks>
public static class MetadataStripper
{
    /// <summary>The stripped file, or null for a format this cannot strip without re-encoding (TIFF).</summary>
    public static byte[]? Strip(byte[] file, string format) => format switch
    {
        "jpeg" => Jpeg(file),
        "png" => Png(file),
        "webp" => Webp(file),
        "gif" => Gif(file),
        "bmp" => file,
        _ => null,
    };

    static byte[] Jpeg(byte[] file)
    {
        using var kept = new MemoryStream(file.Length);
        var orientation = (ushort)0;
        var offset = 2;
        while (offset + 4 <= file.Length)
        {
            var marker = file[offset + 1];
            if (marker == 0xFF)
            {
                offset++;
                continue;
            }

            if (marker == 0xDA)
                break;
            var length = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(offset + 2));
            if (marker == 0xE1 && orientation == 0)
                orientation = ExifOrientation(file.AsSpan(offset + 4, Math.Max(0, length - 2)));
            // APP0 (JFIF), APP2 (ICC profile) and APP14 (Adobe colour transform) change how pixels look; other APPn and COM do not.
            var metadata = marker is >= 0xE0 and <= 0xEF and not (0xE0 or 0xE2 or 0xEE) or 0xFE;
            if (!metadata)
                kept.Write(file, offset, 2 + length);
            offset += 2 + length;
        }

        using var output = new MemoryStream(file.Length);
        output.Write(file, 0, 2);
        if (orientation is > 1 and <= 8)
            output.Write(OrientationOnlyExif(orientation));
        kept.Position = 0;
        kept.CopyTo(output);
        output.Write(file, offset, file.Length - offset);
        return output.ToArray();
    }

    /// <summary>The orientation tag (0x0112) of an APP1 EXIF block's first directory; 0 when there is none.</summary>
    static ushort ExifOrientation(ReadOnlySpan<byte> app1)
    {
        if (app1.Length < 14 || !app1.StartsWith("Exif\0\0"u8))
            return 0;
        var tiff = app1[6..];
        var bigEndian = tiff[0] == (byte)'M';
        var ifd = Read32(tiff, 4, bigEndian);
        if (ifd > tiff.Length - 2)
            return 0;
        var count = Read16(tiff, (int)ifd, bigEndian);
        for (var i = 0; i < count; i++)
        {
            var entry = (int)ifd + 2 + 12 * i;
            if (entry + 12 > tiff.Length)
                return 0;
            if (Read16(tiff, entry, bigEndian) == 0x0112)
                return Read16(tiff, entry + 8, bigEndian);
        }

        return 0;
    }

    /// <summary>An APP1 segment holding EXIF with one directory of one entry: the orientation.</summary>
    static byte[] OrientationOnlyExif(ushort orientation)
    {
        var segment = new byte[2 + 2 + 6 + 8 + 2 + 12 + 4];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(segment.Length - 2));
        "Exif\0\0MM\0*"u8.CopyTo(segment.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(14), 8); // the directory right after the TIFF header
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(18), 1);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(20), 0x0112);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(22), 3); // SHORT
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(24), 1);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(28), orientation);
        return segment;
    }

    static ushort Read16(ReadOnlySpan<byte> bytes, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);

    static uint Read32(ReadOnlySpan<byte> bytes, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);

    static byte[] Png(byte[] file)
    {
        using var output = new MemoryStream(file.Length);
        output.Write(file, 0, 8);
        var offset = 8;
        while (offset + 12 <= file.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));
            var type = file.AsSpan(offset + 4, 4);
            var metadata = type.SequenceEqual("tEXt"u8) || type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8) ||
                type.SequenceEqual("eXIf"u8) || type.SequenceEqual("tIME"u8);
            if (!metadata)
                output.Write(file, offset, 12 + length);
            offset += 12 + length;
        }

        return output.ToArray();
    }

    static byte[] Webp(byte[] file)
    {
        using var body = new MemoryStream(file.Length);
        body.Write("WEBP"u8);
        var end = 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4));
        var offset = 12;
        while (offset + 8 <= end)
        {
            var type = file.AsSpan(offset, 4);
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 4));
            var padded = 8 + length + (length & 1);
            if (type.SequenceEqual("VP8X"u8))
            {
                var chunk = file.AsSpan(offset, padded).ToArray();
                chunk[8] &= unchecked((byte)~0x0C); // the EXIF (0x08) and XMP (0x04) flags
                body.Write(chunk);
            }
            else if (!type.SequenceEqual("EXIF"u8) && !type.SequenceEqual("XMP "u8))
            {
                body.Write(file, offset, padded);
            }

            offset += padded;
        }

        using var output = new MemoryStream((int)body.Length + 8);
        output.Write("RIFF"u8);
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)body.Length);
        output.Write(size);
        body.Position = 0;
        body.CopyTo(output);
        return output.ToArray();
    }

    static byte[] Gif(byte[] file)
    {
        using var output = new MemoryStream(file.Length);
        var offset = 13 + ColourTableLength(file[10]);
        output.Write(file, 0, offset);
        while (offset < file.Length && file[offset] != 0x3B)
        {
            var start = offset;
            bool keep;
            switch (file[offset])
            {
                case 0x21:
                    // Comments (0xFE) and application extensions other than the looping ones (XMP travels in one) go.
                    keep = file[offset + 1] switch
                    {
                        0xFE => false,
                        0xFF => IsAnimationExtension(file.AsSpan(offset + 2)),
                        _ => true,
                    };
                    offset = SkipSubBlocks(file, offset + 2);
                    break;
                case 0x2C:
                    keep = true;
                    offset = SkipSubBlocks(file, offset + 10 + ColourTableLength(file[offset + 9]) + 1);
                    break;
                default:
                    keep = true;
                    offset++;
                    break;
            }

            if (keep)
                output.Write(file, start, offset - start);
        }

        output.WriteByte(0x3B);
        return output.ToArray();
    }

    static bool IsAnimationExtension(ReadOnlySpan<byte> block) =>
        block.Length > 12 && block[0] == 11 && (block[1..12].SequenceEqual("NETSCAPE2.0"u8) || block[1..12].SequenceEqual("ANIMEXTS1.0"u8));

    static int ColourTableLength(byte packed) => (packed & 0x80) == 0 ? 0 : 3 << ((packed & 0x07) + 1);

    static int SkipSubBlocks(byte[] file, int offset)
    {
        while (offset < file.Length && file[offset] != 0)
            offset += 1 + file[offset];
        return offset + 1;
    }
}
