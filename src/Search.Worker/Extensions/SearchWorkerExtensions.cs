using MassTransit;
using Shop.Messaging;
using Shop.ReadModel;
using Shop.Search.Worker.Consumers;
using Shop.ReadModel.Archive;

namespace Shop.Search.Worker.Extensions;

public static class SearchWorkerExtensions
{
    /// <summary>
    /// The read side: the read-model store (<c>ConnectionStrings:ReadModel</c>), the archive on blob storage, and the
    /// bus with the two projection endpoints, batched as <c>Search:Batch</c> says. <paramref name="configureBus"/> lets a
    /// host that embeds the service (tests) add its own consumers.
    /// </summary>
    public static IHostApplicationBuilder AddSearchWorker(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        builder.Services.AddReadModelProjection(builder.Configuration);
        builder.Services.AddOptions<ProjectionBatchOptions>().BindConfiguration(ProjectionBatchOptions.SectionName);
        builder.Services.AddSingleton<ProjectionBatchHandler>();
        builder.Services.AddSingleton<ReadModelRebuilder>();

        builder.Services.AddShopMessaging(builder.Configuration, x =>
        {
            x.AddConsumer<OrderProjectionConsumer, OrderProjectionConsumerDefinition>();
            x.AddConsumer<ProductImageProjectionConsumer, ProductImageProjectionConsumerDefinition>();
            configureBus?.Invoke(x);
        });
        return builder;
    }
}
