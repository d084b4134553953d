using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Images.Endpoints;
using Shop.Images.Extensions;
using Shop.Images.Worker.Extensions;
using Shop.Images.Worker.Persistence;
using Shop.Messaging.EntityFrameworkCore;
using Shop.ServiceDefaults;
using Shop.Testing;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>
/// The whole pipeline for one test class: a test web host with the product-image module on <see cref="ApiDbContext"/>
/// and the Images.Worker composed with <c>AddImagesWorker</c>, each with its own database, one RabbitMQ vhost and
/// one blob folder between them.
/// </summary>
public class ImagePipeline : IntegrationEnvironment
{
    TestService? _api;
    TestService? _worker;

    public string BlobRoot { get; } = Path.Combine(Path.GetTempPath(), $"shop-images-{Guid.NewGuid():N}");
    public string WorkerConnectionString { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public IBus ApiBus => _api!.Bus;

    /// <summary>Settings a test class changes (on top of <see cref="Settings"/>).</summary>
    protected virtual IDictionary<string, string?> Overrides => new Dictionary<string, string?>();

    Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Retry:ImmediateLimit"] = "2",
            ["BlobStorage:Provider"] = "Disk",
            ["BlobStorage:Disk:Root"] = BlobRoot,
            ["ConnectionStrings:Images"] = WorkerConnectionString,
            ["Images:DecodeTimeout"] = "00:00:20",
        };
        foreach (var (key, value) in Overrides)
            settings[key] = value;
        return settings;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        WorkerConnectionString = await CreateDatabase("worker");
        _worker = await TestServiceBuilder.Worker(this)
            .With(Settings())
            .Add(builder => builder.AddImagesWorker())
            .BeforeStart(host => host.MigrateDatabaseAsync<ImagesDbContext>())
            .WatchOutbox<ImagesDbContext>()
            .Start();
        _api = await TestServiceBuilder.Web(this, onlyTestSettings: true)
            .With(Settings())
            .Add(builder =>
            {
                builder.Services.AddProblemDetails();
                builder.Services.AddDbContext<ApiDbContext>(o => o.UseNpgsql(ConnectionString));
                builder.Services.AddProductImages<ApiDbContext>(builder.Configuration);
                builder.Services.AddShopMessaging<ApiDbContext>(builder.Configuration, x => x.AddProductImageConsumers());
            })
            .Map(app => app.MapProductImagesApi<ApiDbContext>())
            .BeforeStart(async host =>
            {
                await using var scope = host.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ApiDbContext>().Database.EnsureCreatedAsync();
            })
            .WatchOutbox<ApiDbContext>()
            .Start();
        Client = _api.CreateClient();
    }

    /// <summary>Waits until both outboxes are empty, no queue holds a message and neither host is receiving one.</summary>
    public Task WaitUntilQuiet(TimeSpan? timeout = null) =>
        Quiescence.WaitUntilQuiet(_api!.Busy.Concat(_worker!.Busy).Append(QueuesEmpty()), timeout);

    public ImagesDbContext CreateWorkerDbContext() =>
        new(new DbContextOptionsBuilder<ImagesDbContext>().UseNpgsql(WorkerConnectionString).Options);

    public async Task<HttpResponseMessage> Upload(string sku, byte[] content, string fileName = "photo.jpg", string contentType = "image/jpeg")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        return await Client.PostAsync($"/products/{sku}/images", form);
    }

    /// <summary>Uploads and returns the image's location, failing the test unless the upload was accepted.</summary>
    public async Task<Uri> UploadAccepted(byte[] content, string sku = "SKU-1", string fileName = "photo.jpg")
    {
        using var response = await Upload(sku, content, fileName);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new Xunit.Sdk.XunitException($"Upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!;
    }

    public async Task<ProductImageResponse> Get(Uri location) =>
        (await Client.GetFromJsonAsync<ProductImageResponse>(location, JsonSerializerOptions.Web))!;

    /// <summary>Waits until the image leaves Pending and returns it.</summary>
    public Task<ProductImageResponse> Settled(Uri location, TimeSpan? timeout = null) =>
        Eventually.Returns(() => Get(location), image => image.Status != "Pending", $"image {location} to be processed",
            timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Thumbnail files of an image on disk (sidecars not counted).</summary>
    public IReadOnlyList<string> ThumbnailFiles(Guid imageId)
    {
        var folder = Path.Combine(BlobRoot, "images", imageId.ToString("N"), "thumbnails");
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder).Where(f => !f.Contains('~')).Select(f => Path.GetFileName(f)).Order().ToList()
            : [];
    }

    public override async Task DisposeAsync()
    {
        if (_api is not null)
            await _api.DisposeAsync();
        if (_worker is not null)
            await _worker.DisposeAsync();

        await base.DisposeAsync();
        if (Directory.Exists(BlobRoot))
            Directory.Delete(BlobRoot, recursive: true);
    }
}
