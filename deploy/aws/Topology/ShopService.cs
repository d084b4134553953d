using Microsoft.Extensions.Hosting;
using Shop.Contracts.Images;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Contracts.Stock;
using Shop.Images.Worker.Extensions;
using Shop.Notifications.Worker.Extensions;
using Shop.Orders.Api.Extensions;
using Shop.ProductImages.StateMachines;
using Shop.Orders.Api.StateMachines;
using Shop.Payments.Worker.Extensions;

namespace Shop.Deploy.Aws.Topology;

/// <summary>
/// One deployable service: how its image is built, how its database is named, and how its bus is registered, so that
/// the topology is read from the same registration the process runs.
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
    public string Dockerfile => $"src/{Project}/Dockerfile";
    public string AssemblyFile => $"Shop.{Project}.dll";
    public string DatabaseName => $"shop_{Name}";
    public string DatabaseLogin => Name;
    public string ImageRepositoryName => $"shop/{Project.ToLowerInvariant().Replace('.', '-')}";

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

    public static IReadOnlyList<ShopService> All { get; } = [Orders, Payments, Notifications, Images];

    public static IReadOnlyList<ShopService> Workers { get; } = All.Where(s => s.IsWorker).ToList();

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
