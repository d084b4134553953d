using Shop.Identity;

namespace Shop.Orders.Api.Security;

/// <summary>
/// <c>Auth</c>: who issues the API's bearer tokens. In production an OpenID Connect provider (<see cref="Authority"/>,
/// its signing keys read from its discovery document); for development, the standalone mode and the tests the local
/// issuer (<see cref="LocalIssuer"/>), whose tokens <c>shop token</c> mints. One of the two must be configured.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public string? Authority { get; set; }

    /// <summary>The audience tokens must name; <see cref="LocalTokenIssuer.DefaultAudience"/> when not set.</summary>
    public string? Audience { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    public LocalIssuerOptions LocalIssuer { get; set; } = new();
}

public sealed class LocalIssuerOptions
{
    /// <summary>At least 32 bytes; tokens are HS256. Empty: the local issuer is off.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = LocalTokenIssuer.DefaultIssuer;

    /// <summary>Accept <see cref="LocalTokenIssuer.DevelopmentSigningKey"/> (public) in the Production environment.</summary>
    public bool AllowDevelopmentKey { get; set; }

    /// <summary>Map <c>POST /dev/token</c>, which mints tokens for anyone who asks.</summary>
    public bool TokenEndpoint { get; set; }
}
