using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shop.Orders.Api.Endpoints.Models;

namespace Shop.Orders.Api.Commands;

/// <summary>
/// Place <paramref name="Order"/> for <paramref name="Customer"/> (who comes from the access token, never the body); a
/// retry with the same <paramref name="IdempotencyKey"/> answers as the first request did.
/// </summary>
public sealed record PlaceOrder(OrderCustomer Customer, CreateOrderRequest Order, string? IdempotencyKey)
{
    /// <summary>A fingerprint of what the command asks for, independent of JSON formatting and line order.</summary>
    public string Fingerprint()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            CustomerId = Customer.Id,
            Customer.Email,
            Items = Order.Items!.OrderBy(i => i.Sku, StringComparer.OrdinalIgnoreCase).Select(i => new { Sku = i.Sku!.ToUpperInvariant(), i.Quantity }),
            Order.Payment!.CardToken
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>What came of a <see cref="PlaceOrder"/>.</summary>
public abstract record PlaceOrderOutcome
{
    /// <summary>The order is stored and submitted (or was, by an earlier request with the same key).</summary>
    public sealed record Accepted(Guid OrderId, string Status) : PlaceOrderOutcome;

    /// <summary>The order breaks a rule; errors are keyed by the JSON path of the offending field.</summary>
    public sealed record Invalid(Dictionary<string, string[]> Errors) : PlaceOrderOutcome;

    /// <summary>The idempotency key was first used with a different order.</summary>
    public sealed record KeyReused : PlaceOrderOutcome;
}
