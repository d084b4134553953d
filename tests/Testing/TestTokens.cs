using System.Net.Http.Headers;
using Shop.Identity;

namespace Shop.Testing;

/// <summary>
/// Bearer tokens for tests: the API under test is configured with <see cref="Settings"/> (the local issuer on a key
/// only tests use, and rate limits no test reaches unless it sets its own), and clients carry tokens from <see cref="Issuer"/>.
/// </summary>
public static class TestTokens
{
    public const string SigningKey = "shop-tests-signing-key-used-by-tests-only";

    public static LocalTokenIssuer Issuer { get; } = new(SigningKey);

    public static IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Auth:LocalIssuer:SigningKey", SigningKey),
        new("RateLimiting:Orders:PermitLimit", "1000000"),
        new("RateLimiting:Uploads:PermitLimit", "1000000"),
    ];

    /// <summary>An operator who is also a catalog admin: reads every order, uploads images.</summary>
    public static string Staff() => Issuer.Issue(new TokenRequest("staff", [ShopRoles.Operator, ShopRoles.CatalogAdmin]));

    public static string Customer(Guid customerId, string email = "buyer@example.com") => Issuer.Customer(customerId, email);

    public static HttpClient WithBearer(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
