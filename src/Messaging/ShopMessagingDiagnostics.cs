namespace Shop.Messaging;

public static class ShopMessagingDiagnostics
{
    /// <summary>Meter of the durable store: outbox backlog, delivery failures, inbox duplicates.</summary>
    public const string MeterName = "Shop.Messaging";
}
