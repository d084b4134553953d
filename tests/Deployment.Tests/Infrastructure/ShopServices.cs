using Shop.BlobStorage;
using Shop.Images;
using Shop.Images.Worker;
using Shop.Images.Worker.Extensions;
using Shop.Messaging;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Notifications.Worker.Extensions;
using Shop.Notifications.Worker.Sending;
using Shop.Orders.Api.Extensions;
using Shop.Orders.Api.Security;
using Shop.Orders.Api.StateMachines;
using Shop.Payments.Worker.Extensions;
using Shop.Payments.Worker.Gateway;
using Shop.ReadModel;
using Shop.ReadModel.Elasticsearch;
using Shop.Search.Worker.Consumers;
using Shop.Search.Worker.Extensions;

namespace Shop.Deployment.Tests.Infrastructure;

/// <summary>A configuration section a service binds to an options class.</summary>
public sealed record BoundSection(string Path, Type Options);

/// <summary>
/// One deployable service: its project, its compose service, and what configuration it reads. The lists are kept by
/// hand, and <c>ConfigDriftTests</c> checks them against the code and appsettings.json so that they cannot rot.
/// </summary>
public sealed record ShopService(
    string Project,
    string ComposeName,
    Type Marker,
    string ConnectionStringName,
    IReadOnlyList<BoundSection> Sections,
    IReadOnlyList<string> DirectKeys)
{
    public string ConnectionStringVariable => $"ConnectionStrings__{ConnectionStringName}";

    /// <summary>Keys read straight from IConfiguration: the connection string and <see cref="DirectKeys"/>.</summary>
    public IEnumerable<string> ReadKeys => DirectKeys.Prepend($"ConnectionStrings:{ConnectionStringName}");

    public string AssemblyFile => Marker.Assembly.GetName().Name + ".dll";

    public override string ToString() => Project;
}

public static class ShopServices
{
    static readonly BoundSection[] Bus =
    [
        new(MessagingOptions.SectionName, typeof(MessagingOptions)),
        new(DurableStoreServiceCollectionExtensions.SectionName, typeof(DurableStoreOptions)),
    ];

    /// <summary>Read straight from IConfiguration by every service (ServiceDefaults, and the OTLP exporter for its headers), not through an options class.</summary>
    static readonly string[] Defaults = ["Database:Provider", "Database:MigrateOnStartup", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS"];

    public static readonly ShopService OrdersApi = new("Orders.Api", "orders-api", typeof(OrdersApiExtensions), OrdersApiExtensions.ConnectionStringName,
        [
            .. Bus,
            new(BlobStorageOptions.SectionName, typeof(BlobStorageOptions)),
            new(ProductImageOptions.SectionName, typeof(ProductImageOptions)),
            new(OrderSagaOptions.SectionName, typeof(OrderSagaOptions)),
            new(ElasticsearchReadModelOptions.SectionName, typeof(ElasticsearchReadModelOptions)),
            new(AuthOptions.SectionName, typeof(AuthOptions)),
            new(RateLimitOptions.SectionName, typeof(RateLimitOptions)),
        ],
        [.. Defaults, $"ConnectionStrings:{ReadModelServiceCollectionExtensions.ConnectionStringName}", ReadModelServiceCollectionExtensions.StoreKey,
            OrdersApiExtensions.OpenApiEnabledKey]);

    public static readonly ShopService PaymentsWorker = new("Payments.Worker", "payments-worker", typeof(PaymentsExtensions), PaymentsExtensions.ConnectionStringName,
        [.. Bus, new(PaymentGatewayOptions.SectionName, typeof(PaymentGatewayOptions))],
        Defaults);

    public static readonly ShopService NotificationsWorker = new("Notifications.Worker", "notifications-worker", typeof(NotificationsExtensions),
        NotificationsExtensions.ConnectionStringName,
        [.. Bus, new(NotificationSenderOptions.SectionName, typeof(NotificationSenderOptions))],
        Defaults);

    public static readonly ShopService ImagesWorker = new("Images.Worker", "images-worker", typeof(ImagesWorkerExtensions), "Images",
        [
            .. Bus,
            new(BlobStorageOptions.SectionName, typeof(BlobStorageOptions)),
            new(ImageProcessingOptions.SectionName, typeof(ImageProcessingOptions)),
        ],
        Defaults);

    public static readonly ShopService SearchWorker = new("Search.Worker", "search-worker", typeof(SearchWorkerExtensions),
        ReadModelServiceCollectionExtensions.ConnectionStringName,
        [
            new(MessagingOptions.SectionName, typeof(MessagingOptions)),
            new(BlobStorageOptions.SectionName, typeof(BlobStorageOptions)),
            new(ProjectionBatchOptions.SectionName, typeof(ProjectionBatchOptions)),
            new(ElasticsearchReadModelOptions.SectionName, typeof(ElasticsearchReadModelOptions)),
        ],
        [.. Defaults, ReadModelServiceCollectionExtensions.StoreKey]);

    public static IReadOnlyList<ShopService> All { get; } = [OrdersApi, PaymentsWorker, NotificationsWorker, ImagesWorker, SearchWorker];

    public static ShopService Named(string project) => All.Single(s => s.Project == project);

    /// <summary>For <c>[MemberData]</c>: one row per service, by project name (serialisable, readable in test names).</summary>
    public static TheoryData<string> Projects => new(All.Select(s => s.Project));
}
