namespace Shop.Orders.Api.Domain;

/// <summary>
/// The card token a customer gave with an order, kept apart from the order and from every event: the saga takes it (and
/// this row goes) when it starts, and sends it only to the payments endpoint.
/// </summary>
public sealed class OrderCardToken
{
    public Guid OrderId { get; set; }
    public string CardToken { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}
