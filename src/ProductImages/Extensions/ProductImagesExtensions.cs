using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.BlobStorage;
using Shop.ProductImages.Catalog;
using Shop.ProductImages.Consumers;
using Shop.ProductImages.Persistence;
using Shop.ProductImages.StateMachines;

namespace Shop.ProductImages.Extensions;

public static class ProductImagesExtensions
{
    /// <summary>
    /// The services of the product-image module on the host's <typeparamref name="TDbContext"/>: upload limits from
    /// <c>Images</c>, blob storage from <c>BlobStorage</c>, and a default <see cref="IProductCatalog"/> (any
    /// well-formed SKU) that the host replaces by registering its own.
    /// </summary>
    public static IServiceCollection AddProductImages<TDbContext>(this IServiceCollection services, IConfiguration configuration)
        where TDbContext : DbContext
    {
        services.AddOptions<ProductImageOptions>()
            .Bind(configuration.GetSection(ProductImageOptions.SectionName))
            .Validate(o => o.MaxUploadBytes > 0, "Images:MaxUploadBytes must be positive.")
            .Validate(o => o.DirectUploadUrlLifetime > TimeSpan.Zero && o.DirectUploadUrlLifetime <= TimeSpan.FromDays(7),
                "Images:DirectUploadUrlLifetime must be positive and at most 7 days (SigV4's limit).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IProductCatalog, SkuPatternProductCatalog>();
        services.AddBlobStorage(configuration);
        services.TryAddScoped(provider => new ProductImagesStore(provider.GetRequiredService<TDbContext>()));
        services.AddOptions<ImageProcessingSagaOptions>().Bind(configuration.GetSection(ImageProcessingSagaOptions.SectionName))
            .Validate(o => o.ThumbnailsTimeout > TimeSpan.Zero && o.MetadataTimeout > TimeSpan.Zero,
                "Images:Processing:ThumbnailsTimeout and MetadataTimeout must be positive.")
            .ValidateOnStart();
        services.TryAddScoped<IProductImageRecorder, ProductImageRecorder>();
        return services;
    }

    /// <summary>
    /// The API side of the image pipeline, inside <c>AddShopMessaging</c>: the image processing state machine, which
    /// sends each branch's command to Images.Worker and joins their answers into the image's status, and the consumer
    /// of <c>DirectUploadStored</c> that lets a presigned upload into the pipeline.
    /// Needs <see cref="AddProductImages{TDbContext}"/>.
    /// </summary>
    public static IBusRegistrationConfigurator AddProductImageConsumers(this IBusRegistrationConfigurator configurator)
    {
        configurator.AddSagaStateMachine<ImageProcessingStateMachine, ImageProcessingState>();
        configurator.AddConsumer<DirectUploadStoredConsumer>();
        return configurator;
    }
}
