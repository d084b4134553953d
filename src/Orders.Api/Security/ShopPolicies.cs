using System.Security.Claims;
using Shop.Identity;

namespace Shop.Orders.Api.Security;

/// <summary>The authorization and rate-limiting policies the endpoints name.</summary>
public static class ShopPolicies
{
    /// <summary>A customer whose token says who they are: a customer id and an email.</summary>
    public const string Customer = "customer";

    /// <summary>A customer (their own orders only) or an operator (any order).</summary>
    public const string OrderReader = "order-reader";

    public const string CatalogAdmin = "catalog-admin";

    public const string OrdersRateLimit = "orders";
    public const string UploadsRateLimit = "uploads";
}

/// <summary>Who the caller is, read from the validated token.</summary>
public static class CallerClaims
{
    /// <summary>The customer the caller acts as: the <c>customer_id</c> claim, else a GUID subject; null when neither.</summary>
    public static Guid? CustomerId(this ClaimsPrincipal user)
    {
        var value = user.FindFirst(ShopClaims.CustomerId)?.Value ?? user.FindFirst(ShopClaims.Subject)?.Value;
        return Guid.TryParse(value, out var id) && id != Guid.Empty ? id : null;
    }

    public static string? Email(this ClaimsPrincipal user) => user.FindFirst(ShopClaims.Email)?.Value;

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(ShopRoles.Operator);

    /// <summary>Whether the caller may see the order of <paramref name="customerId"/>: an operator, or that customer.</summary>
    public static bool MayRead(this ClaimsPrincipal user, Guid customerId) =>
        user.IsOperator() || (user.IsInRole(ShopRoles.Customer) && user.CustomerId() == customerId);
}
