using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Shop.Identity;

namespace Shop.Orders.Api.Security;

/// <summary>
/// Bearer tokens (an OpenID Connect authority in production, the local issuer elsewhere), the role policies the
/// endpoints name, and per-client rate limits on the writes that cost most.
/// </summary>
public static class ApiSecurityExtensions
{
    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((options, auth) => ConfigureBearer(options, auth.Value));

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ShopPolicies.Customer, policy => policy.RequireRole(ShopRoles.Customer)
                .RequireAssertion(context => context.User.CustomerId() is not null && !string.IsNullOrWhiteSpace(context.User.Email())))
            .AddPolicy(ShopPolicies.OrderReader, policy => policy.RequireRole(ShopRoles.Customer, ShopRoles.Operator))
            .AddPolicy(ShopPolicies.CatalogAdmin, policy => policy.RequireRole(ShopRoles.CatalogAdmin));

        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName)
            .Validate(o => o.Orders is { PermitLimit: > 0, Window.Ticks: > 0 } && o.Uploads is { PermitLimit: > 0, Window.Ticks: > 0 },
                "RateLimiting:Orders and RateLimiting:Uploads need a positive PermitLimit and Window.")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteTooManyRequests;
            options.AddPolicy(ShopPolicies.OrdersRateLimit, http => PerClient(http, limits => limits.Orders));
            options.AddPolicy(ShopPolicies.UploadsRateLimit, http => PerClient(http, limits => limits.Uploads));
        });
        return builder;
    }

    /// <summary>After the problem-details handlers, so a 401 or 403 is a problem too; before the endpoints.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    static void ConfigureBearer(JwtBearerOptions options, AuthOptions auth)
    {
        // Claims keep their JWT names (sub, role, email) instead of .NET's long URIs.
        options.MapInboundClaims = false;
        options.TokenValidationParameters.NameClaimType = ShopClaims.Subject;
        options.TokenValidationParameters.RoleClaimType = ShopClaims.Role;
        options.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1);
        options.TokenValidationParameters.ValidAudience = auth.Audience ?? LocalTokenIssuer.DefaultAudience;

        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            options.Authority = auth.Authority;
            options.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            return;
        }

        if (!string.IsNullOrEmpty(auth.LocalIssuer.SigningKey))
        {
            options.TokenValidationParameters.ValidIssuer = auth.LocalIssuer.Issuer;
            options.TokenValidationParameters.IssuerSigningKey = LocalTokenIssuer.SigningKey(auth.LocalIssuer.SigningKey);
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
    }

    /// <summary>Why the settings cannot protect the API, or null when they can.</summary>
    internal static string? Problem(AuthOptions auth, IHostEnvironment environment)
    {
        var local = auth.LocalIssuer.SigningKey;
        if (string.IsNullOrWhiteSpace(auth.Authority) && string.IsNullOrEmpty(local))
            return "Set Auth:Authority (an OpenID Connect provider) or Auth:LocalIssuer:SigningKey (the local issuer); see docs/security.md.";
        if (!string.IsNullOrEmpty(local) && System.Text.Encoding.UTF8.GetByteCount(local) < LocalTokenIssuer.MinimumKeyBytes)
            return $"Auth:LocalIssuer:SigningKey must be at least {LocalTokenIssuer.MinimumKeyBytes} bytes.";
        var publicKeyAllowed = local == LocalTokenIssuer.DevelopmentSigningKey && auth.LocalIssuer.AllowDevelopmentKey;
        if (local == LocalTokenIssuer.DevelopmentSigningKey && environment.IsProduction() && !publicKeyAllowed)
            return "Auth:LocalIssuer:SigningKey is the public development key, which anyone can sign tokens with; it is refused in Production.";
        // The endpoint gives anyone a token; in Production only where the public key already lets anyone make one.
        if (auth.LocalIssuer.TokenEndpoint && environment.IsProduction() && !publicKeyAllowed)
            return "Auth:LocalIssuer:TokenEndpoint mints tokens for anyone; it is refused in Production.";
        return null;
    }

    sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
            Problem(options, environment) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }

    /// <summary>One window per client: the token's subject, else (no token) the remote address.</summary>
    static RateLimitPartition<string> PerClient(HttpContext http, Func<RateLimitOptions, WindowLimit> pick)
    {
        var limit = pick(http.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue);
        var subject = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirst(ShopClaims.Subject)?.Value : null;
        var client = subject is not null ? $"sub:{subject}" : $"ip:{http.Connection.RemoteIpAddress}";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
        });
    }

    static async ValueTask WriteTooManyRequests(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var detail = "Too many requests from this client; slow down.";
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            detail = $"Too many requests from this client; try again in {seconds} s.";
        }

        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                // ASP.NET Core has no default type for 429.
                Type = "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = detail,
            },
        });
    }
}
