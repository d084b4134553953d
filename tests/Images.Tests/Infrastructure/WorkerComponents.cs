using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shop.BlobStorage.Disk;
using Shop.Images.Worker;
using Shop.Images.Worker.Processing;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>The worker's processing pieces without a bus, over a throw-away blob folder.</summary>
public sealed class WorkerComponents : IDisposable
{
    public WorkerComponents(Action<ImageProcessingOptions>? configure = null)
    {
        var options = new ImageProcessingOptions();
        configure?.Invoke(options);
        Blobs = new DiskBlobStorage(Path.Combine(Path.GetTempPath(), $"shop-worker-{Guid.NewGuid():N}"));
        Loader = new UntrustedImageLoader(Blobs, Options.Create(options));
        Renderer = new ThumbnailRenderer(Options.Create(options));
    }

    public DiskBlobStorage Blobs { get; }
    public UntrustedImageLoader Loader { get; }
    public ThumbnailRenderer Renderer { get; }
    public CameraMetadataReader MetadataReader { get; } = new();

    public Task<IReadOnlyList<RenderedThumbnail>> Thumbnails(byte[] original) =>
        Loader.DecodeAsync(original, "rendering thumbnails", Renderer.Render, CancellationToken.None);

    /// <summary>
    /// What the metadata consumer does with an original: the structure's budgets, the header (whose refusal only says
    /// the pixels are unreadable), then the metadata.
    /// </summary>
    public async Task<CameraMetadata> Metadata(byte[] original)
    {
        var structure = Loader.CheckStructure(original);
        try
        {
            await Loader.ReadHeaderAsync(original, structure, CancellationToken.None);
        }
        catch (InvalidImageException)
        {
            // As the consumer: the metadata is read all the same.
        }

        return await Loader.ReadMetadataAsync(original, MetadataReader, CancellationToken.None);
    }

    public async Task<byte[]> StoreAndRead(byte[] original)
    {
        var key = await Blobs.PutAsync($"images/{Guid.NewGuid():N}/original", new MemoryStream(original), "application/octet-stream");
        return await Loader.ReadAsync(key, CancellationToken.None);
    }

    public void Dispose() => Directory.Delete(Blobs.Root, recursive: true);
}
