using Microsoft.Extensions.Hosting;
using Shop.Contracts.Images;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Images.Worker.Extensions;
using Shop.Notifications.Worker.Extensions;
using Shop.Orders.Api.Extensions;
using Shop.Images.StateMachines;
using Shop.Orders.Api.StateMachines;
using Shop.Payments.Worker.Extensions;
using Shop.ReadModel;
using Shop.ReadModel.Archive;
using Shop.Search.Worker.Extensions;

namespace Shop.Deploy.Aws.Topology;

/// <summary>
/// One deployable service: its image (the repository's Dockerfile built with <c>SERVICE=</c><see cref="Project"/>), how its
/// database is named, and how its bus is registered, so that the topology is read from the same registration the
/// process runs.
/// </summary>
/// <param name="Name">Short lower-case name: stack resource ids, log groups, database login, context keys (<c>payments=lambda</c>).</param>
/// <param name="Publishes">
/// What its code publishes. MassTransit does not declare this, so it is listed here; a test checks that every
/// consumed message has a publisher, and the faults of consumed messages are added from the consumers.
/// </param>
/// <param name="BucketPrefixes">Key prefixes of the bucket it reads and writes (the claim check's <c>messages/</c> for all).</param>
public sealed record ShopService(
    string Name,
    string Project,
    string ConnectionStringName,
    bool IsWorker,
    Action<IHostApplicationBuilder> Register,
    IReadOnlyList<Type> Publishes,
    IReadOnlyList<string> BucketPrefixes)
{
    public string AssemblyFile => $"Shop.{Project}.dll";
    public string DatabaseName => $"shop_{Name}";
    public string DatabaseLogin => Name;
    public string ImageRepositoryName => $"shop/{Project.ToLowerInvariant().Replace('.', '-')}";

    /// <summary>Why this worker cannot be a Lambda function (synthesis refuses <c>name=lambda</c>); null when it can.</summary>
    public string? NotOnLambda { get; init; }

    public override string ToString() => Name;

    public static readonly ShopService Orders = new("orders", "Orders.Api", OrdersApiExtensions.ConnectionStringName, IsWorker: false,
        b => b.AddOrdersApi(),
        [typeof(OrderSubmitted), typeof(OrderConfirmed), typeof(OrderCancelled),
         typeof(StockReserved), typeof(StockUnavailable), typeof(StockReleased), typeof(ImageUploaded), typeof(ReprocessImage),
         typeof(ImageProcessingCompleted)],
        ["images/", "uploads/", Messaging.AmazonSqs.Transport.ClaimCheck.KeyPrefix]);

    public static readonly ShopService Payments = new("payments", "Payments.Worker", PaymentsExtensions.ConnectionStringName, IsWorker: true,
        b => b.AddPayments(),
        [typeof(PaymentCompleted), typeof(PaymentFailed), typeof(PaymentRefunded)],
        [Messaging.AmazonSqs.Transport.ClaimCheck.KeyPrefix]);

    public static readonly ShopService Notifications = new("notifications", "Notifications.Worker", "Notifications", IsWorker: true,
        b => b.AddNotifications(),
        [],
        [Messaging.AmazonSqs.Transport.ClaimCheck.KeyPrefix]);

    public static readonly ShopService Images = new("images", "Images.Worker", "Images", IsWorker: true,
        b => b.AddImagesWorker(),
        [typeof(ThumbnailsGenerated), typeof(ImageMetadataExtracted), typeof(DirectUploadStored)],
        ["images/", "uploads/", Messaging.AmazonSqs.Transport.ClaimCheck.KeyPrefix]);

    /// <summary>
    /// The read side: batch consumers project events into the read model (its database, or Elasticsearch) and archive
    /// every batch under <c>archive/events/</c>, which <c>--rebuild</c> lists and replays.
    /// </summary>
    public static readonly ShopService Search = new("search", "Search.Worker", ReadModelServiceCollectionExtensions.ConnectionStringName, IsWorker: true,
        b => b.AddSearchWorker(),
        [],
        [EventArchive.Prefix, Messaging.AmazonSqs.Transport.ClaimCheck.KeyPrefix])
    {
        NotOnLambda =
            "its consumers are MassTransit batch consumers, and the Lambda host hands an invocation's records to the endpoint " +
            "one after another, each finished before the next starts: every batch would hold a single record and wait out " +
            "Search:Batch:TimeLimit first (one read-model write and one archive blob per event). Its Program.cs does not " +
            "call AddLambdaHost either, so the image would never answer the Runtime API. Run it on ECS (search=ecs)",
    };

    public static IReadOnlyList<ShopService> All { get; } = [Orders, Payments, Notifications, Images, Search];

    public static IReadOnlyList<ShopService> Workers { get; } = All.Where(s => s.IsWorker).ToList();

    /// <summary>
    /// Databases a service reads besides its own, with its own login, granted SELECT only: Orders.Api serves the order and
    /// image search from Search.Worker's read model (<c>ConnectionStrings:ReadModel</c>), as compose does.
    /// </summary>
    public static IReadOnlyList<DatabaseRead> DatabaseReads { get; } =
        [new(Orders, Search, ReadModelServiceCollectionExtensions.ConnectionStringName)];

    /// <summary>Queues a service sends commands to, by endpoint name: the sagas' addresses as the sagas read them.</summary>
    public static IReadOnlyList<string> SendsOf(ShopService service)
    {
        if (service != Orders) return [];
        var saga = new OrderSagaOptions();
        var images = new ImageProcessingSagaOptions();
        return new[]
            {
                saga.ReserveStockAddress, saga.ReleaseStockAddress, saga.ProcessPaymentAddress, saga.RefundPaymentAddress,
                images.GenerateThumbnailsAddress, images.ExtractMetadataAddress,
            }
            .Select(address => address.Scheme == "queue"
                ? address.AbsolutePath
                : throw new InvalidOperationException($"The saga sends to {address}, which is not a queue: address"))
            .ToList();
    }
}

/// <summary>A service (<paramref name="Reader"/>) that reads another's database through a connection string of its own.</summary>
public sealed record DatabaseRead(ShopService Reader, ShopService Owner, string ConnectionStringName);
