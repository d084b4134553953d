using System.Text;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using Shop.Contracts.Images;

namespace Shop.Images.Worker.Processing;

/// <summary>What <see cref="CameraMetadataReader"/> found: the typed fields, and every tag as directory → tag → description.</summary>
public sealed record CameraMetadata(
    string? CameraMake,
    string? CameraModel,
    DateTime? CapturedAt,
    double? ExposureTimeSeconds,
    double? FNumber,
    int? Iso,
    double? FocalLengthMillimetres,
    int? Orientation,
    double? Latitude,
    double? Longitude,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Tags)
{
    public int TagCount => Tags.Values.Sum(tags => tags.Count);

    /// <summary>
    /// The event every subscriber receives: without the location, which stays in the worker's own table
    /// (<c>image_metadata</c>), out of reach of the public API.
    /// </summary>
    public ImageMetadataExtracted ToEvent(Guid imageId, ImageHeader header) => new(imageId, header.Width, header.Height,
        CameraMake, CameraModel, CapturedAt, ExposureTimeSeconds, FNumber, Iso, FocalLengthMillimetres, Orientation,
        Latitude: null, Longitude: null, TagCount);
}

/// <summary>
/// Reads EXIF (and every other directory MetadataExtractor knows) from an image's bytes, refusing an image with more
/// than <paramref name="maxDirectories"/> directories or <paramref name="maxTags"/> tags: what a camera writes is a few
/// dozen directories and a few hundred tags.
/// </summary>
public sealed class CameraMetadataReader(int maxDirectories = 256, int maxTags = 4096)
{
    public CameraMetadata Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, CancellationToken.None);
    }

    /// <summary>
    /// Reads from <paramref name="stream"/>; <paramref name="cancellationToken"/> stops the naming and copying of the
    /// tags (MetadataExtractor itself takes no token: give it a stream that stops reading instead).
    /// </summary>
    public CameraMetadata Read(Stream stream, CancellationToken cancellationToken)
    {
        var directories = ImageMetadataReader.ReadMetadata(stream);
        cancellationToken.ThrowIfCancellationRequested();
        if (directories.Count > maxDirectories)
            throw new InvalidImageException($"The image carries {directories.Count} metadata directories, over the limit of {maxDirectories}.");
        var tagCount = directories.Sum(directory => directory.TagCount);
        if (tagCount > maxTags)
            throw new InvalidImageException($"The image carries {tagCount} metadata tags, over the limit of {maxTags}.");

        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        var exif = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var gps = directories.OfType<GpsDirectory>().FirstOrDefault();
        var location = gps?.GetGeoLocation();

        return new CameraMetadata(
            CameraMake: Clean(ifd0?.GetString(ExifDirectoryBase.TagMake)),
            CameraModel: Clean(ifd0?.GetString(ExifDirectoryBase.TagModel)),
            CapturedAt: DateOf(exif, ExifDirectoryBase.TagDateTimeOriginal) ?? DateOf(ifd0, ExifDirectoryBase.TagDateTime),
            ExposureTimeSeconds: RationalOf(exif, ExifDirectoryBase.TagExposureTime),
            FNumber: RationalOf(exif, ExifDirectoryBase.TagFNumber),
            Iso: exif is not null && exif.TryGetInt32(ExifDirectoryBase.TagIsoEquivalent, out var iso) ? iso : null,
            FocalLengthMillimetres: RationalOf(exif, ExifDirectoryBase.TagFocalLength),
            Orientation: ifd0 is not null && ifd0.TryGetInt32(ExifDirectoryBase.TagOrientation, out var orientation) ? orientation : null,
            Latitude: location is { IsZero: false } ? location.Latitude : null,
            Longitude: location is { IsZero: false } ? location.Longitude : null,
            Tags: AllTags(directories, cancellationToken));
    }

    static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> AllTags(IEnumerable<MetadataExtractor.Directory> directories,
        CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        var names = new DirectoryNames();
        foreach (var directory in directories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tags = new Dictionary<string, string>();
            foreach (var tag in directory.Tags)
            {
                if (Clean(tag.Description) is { } description)
                    tags.TryAdd(tag.Name, description);
            }

            all[names.Next(directory.Name)] = tags;
        }

        return all;
    }

    static DateTime? DateOf(MetadataExtractor.Directory? directory, int tag) =>
        directory is not null && directory.TryGetDateTime(tag, out var value) ? DateTime.SpecifyKind(value, DateTimeKind.Unspecified) : null;

    static double? RationalOf(MetadataExtractor.Directory? directory, int tag) =>
        directory is not null && directory.TryGetRational(tag, out var value) && value.Denominator != 0 ? value.ToDouble() : null;

    /// <summary>
    /// Camera strings are NUL-padded and can hold any byte; PostgreSQL text and jsonb take neither NUL nor
    /// invalid UTF-16, so keep printable characters only, trimmed and capped.
    /// </summary>
    static string? Clean(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;

        var builder = new StringBuilder(Math.Min(value.Length, 1024));
        foreach (var rune in value.EnumerateRunes())
        {
            if (builder.Length >= 1024)
                break;
            if (!Rune.IsControl(rune) && rune.Value != 0xFFFD)
                builder.Append(rune.ToString());
        }

        var cleaned = builder.ToString().Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }
}
