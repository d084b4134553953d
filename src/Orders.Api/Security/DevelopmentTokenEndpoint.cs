using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Shop.Identity;

namespace Shop.Orders.Api.Security;

/// <summary>
/// <c>POST /dev/token?role=customer&amp;customerId=…&amp;email=…&amp;expires=01:00:00</c>: a token of the local issuer, for the
/// README tour and the standalone shop, where <c>shop token</c> may not be at hand. Mapped only when
/// <c>Auth:LocalIssuer:TokenEndpoint</c> is true, which the start-up check allows only outside Production or with the
/// public development key (whose tokens anyone can mint anyway). Not in the OpenAPI document.
/// </summary>
public static class DevelopmentTokenEndpoint
{
    public const string Path = "/dev/token";

    public static IEndpointRouteBuilder MapDevelopmentTokens(this IEndpointRouteBuilder app)
    {
        var auth = app.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (!auth.LocalIssuer.TokenEndpoint || string.IsNullOrEmpty(auth.LocalIssuer.SigningKey))
            return app;

        var issuer = new LocalTokenIssuer(auth.LocalIssuer.SigningKey, auth.LocalIssuer.Issuer, auth.Audience ?? LocalTokenIssuer.DefaultAudience);
        // [FromQuery]: on a POST, minimal APIs would look for an array in the body.
        app.MapPost(Path, ([FromQuery] string[]? role, Guid? customerId, string? email, TimeSpan? expires) =>
                Issue(issuer, role, customerId, email, expires))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    static Results<Ok<IssuedToken>, ValidationProblem> Issue(LocalTokenIssuer issuer, string[]? role, Guid? customerId, string? email, TimeSpan? expires)
    {
        var roles = role is { Length: > 0 } ? role.Distinct().ToArray() : [ShopRoles.Customer];
        var errors = new Dictionary<string, string[]>();
        if (roles.Except(ShopRoles.All).Any())
            errors["role"] = [$"role must be one of {string.Join(", ", ShopRoles.All)}."];
        if (expires is { } lifetime && (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(30)))
            errors["expires"] = ["expires must be a positive time span of at most 30 days."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The token request is not valid.");

        var customer = roles.Contains(ShopRoles.Customer) ? customerId ?? Guid.NewGuid() : customerId;
        var mail = email ?? (roles.Contains(ShopRoles.Customer) ? "customer@example.com" : null);
        var lifetimeOrDefault = expires ?? LocalTokenIssuer.DefaultLifetime;
        var subject = customer?.ToString() ?? roles[0];
        var token = issuer.Issue(new TokenRequest(subject, roles, customer, mail, lifetimeOrDefault));
        return TypedResults.Ok(new IssuedToken(token, subject, roles, customer, mail, DateTime.UtcNow + lifetimeOrDefault));
    }

    public sealed record IssuedToken(string Token, string Subject, IReadOnlyList<string> Roles, Guid? CustomerId, string? Email, DateTime ExpiresAt);
}
