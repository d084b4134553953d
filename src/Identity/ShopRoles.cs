namespace Shop.Identity;

/// <summary>The roles the Shop API knows, as they appear in a token's <c>role</c> claim.</summary>
public static class ShopRoles
{
    /// <summary>Places orders; reads and searches only their own.</summary>
    public const string Customer = "customer";

    /// <summary>Uploads product images and mints upload forms.</summary>
    public const string CatalogAdmin = "catalog-admin";

    /// <summary>Reads any order and searches across customers.</summary>
    public const string Operator = "operator";

    public static readonly IReadOnlyList<string> All = [Customer, CatalogAdmin, Operator];
}

/// <summary>The claims the API reads from a token (names as they are in the JWT, not mapped to .NET's long URIs).</summary>
public static class ShopClaims
{
    public const string Subject = "sub";
    public const string Role = "role";

    /// <summary>The customer the caller acts as: a GUID. Without it, <see cref="Subject"/> when that is a GUID.</summary>
    public const string CustomerId = "customer_id";

    public const string Email = "email";
}
