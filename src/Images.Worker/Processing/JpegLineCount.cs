using System.Buffers.Binary;

namespace Shop.Images.Worker.Processing;

/// <summary>
/// A JPEG may leave its height out of the frame header (0 lines) and give it in a DNL marker after the first scan, as
/// some scanners and cameras that write while they read do. ImageSharp 2 does not read DNL, so the height is moved to
/// where it looks: the frame header, with the DNL segment taken out. Any other file is returned as it is.
/// </summary>
public static class JpegLineCount
{
    const byte Dnl = 0xDC;
    const byte StartOfScan = 0xDA;

    public static byte[] Resolve(byte[] jpeg)
    {
        if (FrameHeightOffset(jpeg) is not var (heightAt, scanAt) || BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(heightAt)) != 0)
            return jpeg;

        // Entropy-coded data stuffs every 0xFF with 0x00, so FF DC there can only be the marker itself.
        var dnl = jpeg.AsSpan(scanAt).IndexOf([(byte)0xFF, Dnl]);
        if (dnl < 0 || scanAt + dnl + 6 > jpeg.Length)
            throw new InvalidImageException("The JPEG gives its height as 0 lines and has no DNL marker after its first scan to say how many there are.");
        dnl += scanAt;
        var lines = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(dnl + 4));
        if (BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(dnl + 2)) != 4 || lines == 0)
            throw new InvalidImageException("The JPEG gives its height in a DNL marker that is malformed or says 0 lines.");

        var resolved = new byte[jpeg.Length - 6];
        jpeg.AsSpan(0, dnl).CopyTo(resolved);
        jpeg.AsSpan(dnl + 6).CopyTo(resolved.AsSpan(dnl));
        BinaryPrimitives.WriteUInt16BigEndian(resolved.AsSpan(heightAt), lines);
        return resolved;
    }

    /// <summary>Where the frame header's height is, and where the first scan starts; null for no JPEG or no frame header.</summary>
    static (int HeightAt, int ScanAt)? FrameHeightOffset(ReadOnlySpan<byte> file)
    {
        if (!file.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
            return null;

        int? heightAt = null;
        var offset = 2;
        while (offset + 4 <= file.Length && file[offset] == 0xFF)
        {
            var marker = file[offset + 1];
            if (marker == 0xFF)
            {
                offset++;
                continue;
            }

            if (marker == StartOfScan)
                return heightAt is { } at ? (at, offset) : null;
            // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && offset + 7 <= file.Length)
                heightAt ??= offset + 5;
            offset += 2 + BinaryPrimitives.ReadUInt16BigEndian(file[(offset + 2)..]);
        }

        return null;
    }
}
