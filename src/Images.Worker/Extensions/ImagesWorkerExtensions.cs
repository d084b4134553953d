using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.BlobStorage;
using Shop.Images.Worker.Consumers;
using Shop.Images.Worker.Persistence;
using Shop.Images.Worker.Processing;
using Shop.Images.Worker.UploadNotifications;
using Shop.Messaging.EntityFrameworkCore;
using Shop.ServiceDefaults;

namespace Shop.Images.Worker.Extensions;

public static class ImagesWorkerExtensions
{
    public const string ConnectionStringName = "Images";

    /// <summary>
    /// Everything the image worker is: blob storage, the bounded image loader, <see cref="ImagesDbContext"/> on
    /// <c>ConnectionStrings:Images</c> and the bus with the thumbnail and metadata consumers, one endpoint each; on S3
    /// also the endpoint of the bucket's notifications about direct uploads, and the bucket set up to send them.
    /// <paramref name="configureBus"/> lets a host that embeds the service (tests) add its own consumers.
    /// </summary>
    public static IHostApplicationBuilder AddImagesWorker(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        var services = builder.Services;
        services.AddOptions<ImageProcessingOptions>()
            .Bind(builder.Configuration.GetSection(ImageProcessingOptions.SectionName))
            .Validate(o => o.MaxPixels > 0 && o.MaxUploadBytes > 0 && o.MaxDecodeMegabytes > 0 && o.MaxPooledMegabytes >= 0 && o.MaxFrames > 0 &&
                    o.MaxMetadataBlocks > 0 && o.DecodeTimeout > TimeSpan.Zero && o.AbandonAfter >= TimeSpan.Zero,
                "Images:MaxPixels, MaxUploadBytes, MaxDecodeMegabytes, MaxFrames, MaxMetadataBlocks and DecodeTimeout must be positive.")
            .Validate(o => o.Thumbnails.EffectiveSizes.All(size => size is > 0 and <= 4096),
                "Images:Thumbnails:Sizes must be between 1 and 4096 pixels.")
            .Validate(o => o.ConcurrentImages > 0, "Images:ConcurrentImages must be positive.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddBlobStorage(builder.Configuration);
        services.AddMetrics();
        services.AddSingleton<ImageMetrics>();
        services.AddSingleton<UntrustedImageLoader>();
        services.AddSingleton<ThumbnailRenderer>();
        services.AddSingleton<CameraMetadataReader>();

        services.AddServiceDatabase<ImagesDbContext, ImagesSqliteMigrations>(builder.Configuration, ConnectionStringName);

        // Uploads straight to the bucket exist only on S3; the bucket's notifications of them get their own endpoint.
        var directUploads = BlobStorageServiceCollectionExtensions.IsS3(builder.Configuration);
        services.AddShopMessaging<ImagesDbContext>(builder.Configuration, x =>
        {
            x.AddConsumer<GenerateThumbnailsConsumer, GenerateThumbnailsConsumerDefinition>();
            x.AddConsumer<ExtractImageMetadataConsumer, ExtractImageMetadataConsumerDefinition>();
            if (directUploads)
                x.AddConsumer<S3UploadNotificationConsumer, S3UploadNotificationConsumerDefinition>();
            configureBus?.Invoke(x);
        });
        if (directUploads && builder.Configuration.GetValue("Images:UploadNotifications:ConfigureBucket", true))
            services.AddHostedService<UploadNotificationSetup>();

        return builder;
    }
}
