using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.BlobStorage;
using Shop.BlobStorage.Disk;
using Shop.Contracts.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>
/// The real Images worker as a Lambda function (see <see cref="WorkerFunction"/>), its blob storage a directory of its
/// own that the test writes the originals into and reads the thumbnails from; hears the ThumbnailsGenerated it publishes.
/// </summary>
public sealed class ImagesFunction : WorkerFunction
{
    public const string Thumbnails = "generate-thumbnails";

    readonly string _root = Path.Combine(Path.GetTempPath(), $"shop-lambda-images-{Guid.NewGuid():N}");

    public ConcurrentBag<ThumbnailsGenerated> Generated { get; } = [];

    public DiskBlobStorage Blobs { get; }

    public ImagesFunction()
    {
        Directory.CreateDirectory(_root);
        Blobs = new DiskBlobStorage(_root);
    }

    protected override string AssemblyFile => "Shop.Images.Worker.dll";

    protected override string DatabaseName => "Images";

    protected override void AddWorkerSettings(IDictionary<string, string?> environment)
    {
        environment["BlobStorage__Provider"] = "Disk";
        environment["BlobStorage__Disk__Root"] = _root;
    }

    protected override void AddObservers(IServiceCollection services, IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<GeneratedObserver>();
        services.AddSingleton(Generated);
    }

    /// <summary>Stores an original as the upload API does, and the command the image saga sends the worker about it.</summary>
    public async Task<GenerateThumbnails> Upload(byte[]? bytes = null)
    {
        if (bytes is null)
        {
            using var image = new Image<Rgba32>(120, 80, new Rgba32(30, 120, 200));
            using var png = new MemoryStream();
            await image.SaveAsPngAsync(png);
            bytes = png.ToArray();
        }

        var id = Guid.NewGuid();
        using var content = new MemoryStream(bytes, writable: false);
        var key = await Blobs.PutAsync(BlobKeys.ImageOriginal(id), content, "image/png");
        return new GenerateThumbnails(id, key, "image/png", "png", bytes.Length, Attempt: 1);
    }

    /// <summary>Sends the commands with our transport, then takes their SQS messages off the thumbnail queue as SQS records.</summary>
    public Task<List<JsonObject>> ProduceRecords(IReadOnlyList<GenerateThumbnails> commands) =>
        ProduceRecords(Thumbnails, commands.Count, async bus =>
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{Thumbnails}"));
            foreach (var command in commands)
                await endpoint.Send(command);
        });

    /// <summary>The record that carries the event about <paramref name="imageId"/>.</summary>
    public static JsonObject RecordOf(IEnumerable<JsonObject> records, Guid imageId) =>
        records.Single(r => r["body"]!.GetValue<string>().Contains(imageId.ToString(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The files stored for the image's thumbnails, with when each was last written.</summary>
    public Dictionary<string, DateTime> ThumbnailFiles(Guid imageId)
    {
        var directory = new DirectoryInfo(Path.Combine(_root, "images", imageId.ToString("N"), "thumbnails"));
        return directory.Exists ? directory.GetFiles().ToDictionary(f => f.Name, f => f.LastWriteTimeUtc) : [];
    }

    public Task<List<string>> TakeErrors() => TakeErrors(Thumbnails);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    public sealed class GeneratedObserver(ConcurrentBag<ThumbnailsGenerated> generated) : IConsumer<ThumbnailsGenerated>
    {
        public Task Consume(ConsumeContext<ThumbnailsGenerated> context)
        {
            generated.Add(context.Message);
            return Task.CompletedTask;
        }
    }
}
