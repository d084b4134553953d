using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Shop.Identity;
using Shop.Orders.Api.Security;

namespace Shop.Orders.Tests.Api;

[Trait("Category", "NoTransport")]
public sealed class When_the_auth_settings_are_checked_at_start
{
    [Fact]
    public void Should_refuse_to_run_without_an_issuer() =>
        Assert.Contains("Auth:Authority", ApiSecurityExtensions.Problem(new AuthOptions(), In(Environments.Development)));

    [Fact]
    public void Should_refuse_a_short_signing_key() =>
        Assert.Contains("at least 32 bytes", ApiSecurityExtensions.Problem(Local("too-short"), In(Environments.Development)));

    [Fact]
    public void Should_refuse_the_public_development_key_in_production()
    {
        Assert.Contains("public development key", ApiSecurityExtensions.Problem(Local(LocalTokenIssuer.DevelopmentSigningKey), In(Environments.Production)));
        Assert.Null(ApiSecurityExtensions.Problem(Local(LocalTokenIssuer.DevelopmentSigningKey), In(Environments.Development)));
    }

    [Fact]
    public void Should_accept_the_development_key_in_production_only_when_told_to()
    {
        var standalone = Local(LocalTokenIssuer.DevelopmentSigningKey);
        standalone.LocalIssuer.AllowDevelopmentKey = true;

        Assert.Null(ApiSecurityExtensions.Problem(standalone, In(Environments.Production)));
    }

    [Fact]
    public void Should_refuse_the_token_endpoint_in_production_unless_anyone_can_mint_tokens_anyway()
    {
        var privateKey = Local("a-private-key-that-is-long-enough-for-hs256");
        privateKey.LocalIssuer.TokenEndpoint = true;
        var standalone = Local(LocalTokenIssuer.DevelopmentSigningKey);
        standalone.LocalIssuer.TokenEndpoint = true;
        standalone.LocalIssuer.AllowDevelopmentKey = true;

        Assert.Contains("TokenEndpoint", ApiSecurityExtensions.Problem(privateKey, In(Environments.Production)));
        Assert.Null(ApiSecurityExtensions.Problem(privateKey, In(Environments.Development)));
        Assert.Null(ApiSecurityExtensions.Problem(standalone, In(Environments.Production)));
    }

    [Fact]
    public void Should_accept_an_authority_alone() =>
        Assert.Null(ApiSecurityExtensions.Problem(new AuthOptions { Authority = "https://login.example.com/" }, In(Environments.Production)));

    static AuthOptions Local(string key) => new() { LocalIssuer = { SigningKey = key } };

    static HostingEnvironment In(string name) => new() { EnvironmentName = name };
}
