using Microsoft.Extensions.Options;
using Shop.BlobStorage.Disk;
using Shop.Images.Worker;
using Shop.Images.Worker.Processing;

namespace Shop.Benchmarks.Scenarios.Thumbnails;

/// <summary>
/// Images.Worker's thumbnail step as <c>GenerateThumbnailsConsumer</c> runs it, with its default options: the bounded
/// decode of <see cref="UntrustedImageLoader"/> (header checks, pixel and memory caps, deadline) and
/// <see cref="ThumbnailRenderer"/>. Only the blob storage read and writes are left out.
/// </summary>
public sealed class OurThumbnailStep : ThumbnailVariant
{
    readonly DiskBlobStorage _unusedBlobs = new(Path.Combine(Path.GetTempPath(), $"shop-bench-blobs-{Guid.NewGuid():N}"));
    readonly UntrustedImageLoader _loader;
    readonly ThumbnailRenderer _renderer;

    public OurThumbnailStep()
    {
        var options = Options.Create(new ImageProcessingOptions());
        _loader = new UntrustedImageLoader(_unusedBlobs, options);
        _renderer = new ThumbnailRenderer(options);
    }

    public override async Task<IReadOnlyList<ThumbnailOutput>> Render(byte[] photo, CancellationToken cancellationToken)
    {
        var rendered = await _loader.DecodeAsync(photo, "rendering thumbnails", _renderer.Render, cancellationToken);
        return rendered.Select(t => new ThumbnailOutput(t.Size, t.Format.Name, t.Width, t.Height, t.Bytes)).ToList();
    }

    public override void Dispose() => Directory.Delete(_unusedBlobs.Root, recursive: true);
}
