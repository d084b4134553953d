namespace Shop.Orders.Api.StateMachines;

/// <summary>The <c>Orders:Saga</c> settings: how long each step may take and where the saga's commands go.</summary>
public sealed class OrderSagaOptions
{
    public const string SectionName = "Orders:Saga";

    public TimeSpan StockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public Uri ReserveStockAddress { get; set; } = new("queue:reserve-stock");
    public Uri ReleaseStockAddress { get; set; } = new("queue:release-stock");
    public Uri ProcessPaymentAddress { get; set; } = new("queue:process-payment");
    public Uri RefundPaymentAddress { get; set; } = new("queue:refund-payment");
}
