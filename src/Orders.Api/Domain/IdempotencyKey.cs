namespace Shop.Orders.Api.Domain;

/// <summary>A client's Idempotency-Key and the request it first came with, so a retry finds the order it created.</summary>
public sealed class IdempotencyKey
{
    public string Key { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public Guid OrderId { get; set; }
    public DateTime CreatedAt { get; set; }
}
