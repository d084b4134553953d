using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Shop.Identity;

/// <summary>What a locally issued token says.</summary>
public sealed record TokenRequest(string Subject, IReadOnlyList<string> Roles, Guid? CustomerId = null, string? Email = null,
    TimeSpan? Lifetime = null);

/// <summary>
/// The issuer for development, the standalone mode and the tests: HS256 tokens signed with a key from configuration
/// (<c>Auth:LocalIssuer:SigningKey</c>), which the API validates with the same key. Production uses a real identity
/// provider (<c>Auth:Authority</c>) instead; nothing here is used there.
/// </summary>
public sealed class LocalTokenIssuer
{
    public const string DefaultIssuer = "shop-local";
    public const string DefaultAudience = "shop-api";

    /// <summary>
    /// The key in the repository's development settings. It is public, so anyone can mint tokens with it: the API
    /// refuses it in the Production environment unless <c>Auth:LocalIssuer:AllowDevelopmentKey</c> says otherwise
    /// (the standalone shop, which listens on 127.0.0.1 only).
    /// </summary>
    public const string DevelopmentSigningKey = "shop-local-development-signing-key-NOT-A-SECRET";

    /// <summary>HS256 needs a key of at least 256 bits.</summary>
    public const int MinimumKeyBytes = 32;

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(8);

    readonly SigningCredentials _credentials;
    readonly TimeProvider _time;

    public LocalTokenIssuer(string signingKey, string issuer = DefaultIssuer, string audience = DefaultAudience, TimeProvider? time = null)
    {
        _credentials = new SigningCredentials(SigningKey(signingKey), SecurityAlgorithms.HmacSha256);
        Issuer = issuer;
        Audience = audience;
        _time = time ?? TimeProvider.System;
    }

    public string Issuer { get; }
    public string Audience { get; }

    /// <summary>The validation key for <paramref name="signingKey"/>; throws when it is too short to be safe.</summary>
    public static SymmetricSecurityKey SigningKey(string signingKey)
    {
        var bytes = Encoding.UTF8.GetBytes(signingKey);
        if (bytes.Length < MinimumKeyBytes)
            throw new ArgumentException($"The signing key must be at least {MinimumKeyBytes} bytes (UTF-8); it has {bytes.Length}.", nameof(signingKey));
        return new SymmetricSecurityKey(bytes);
    }

    public string Issue(TokenRequest request)
    {
        var claims = new List<Claim> { new(ShopClaims.Subject, request.Subject) };
        claims.AddRange(request.Roles.Select(role => new Claim(ShopClaims.Role, role)));
        if (request.CustomerId is { } customerId)
            claims.Add(new Claim(ShopClaims.CustomerId, customerId.ToString()));
        if (request.Email is { } email)
            claims.Add(new Claim(ShopClaims.Email, email));

        var now = _time.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (request.Lifetime ?? DefaultLifetime),
            SigningCredentials = _credentials,
        });
    }

    /// <summary>A customer's token: the customer id is also the subject.</summary>
    public string Customer(Guid customerId, string email, TimeSpan? lifetime = null) =>
        Issue(new TokenRequest(customerId.ToString(), [ShopRoles.Customer], customerId, email, lifetime));

    public string Operator(string subject = "operator", TimeSpan? lifetime = null) =>
        Issue(new TokenRequest(subject, [ShopRoles.Operator], Lifetime: lifetime));

    public string CatalogAdmin(string subject = "catalog-admin", TimeSpan? lifetime = null) =>
        Issue(new TokenRequest(subject, [ShopRoles.CatalogAdmin], Lifetime: lifetime));
}
