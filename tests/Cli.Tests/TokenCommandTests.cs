using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.Cli.Tests.Infrastructure;
using Shop.Identity;

namespace Shop.Cli.Tests;

[Trait("Category", "NoTransport")]
public sealed class When_a_developer_mints_a_token
{
    const string Key = "a-key-for-the-token-command-tests-only";
    readonly ShopCommandLine _shop = new(broker: null);

    [Fact]
    public async Task Should_print_a_token_the_api_would_accept_with_the_claims_asked_for()
    {
        var customerId = Guid.NewGuid();

        var result = await _shop.Run("token", "--role", "customer", "--customer-id", customerId.ToString(), "--email", "ada@example.com",
            "--expires", "00:30:00", "--signing-key", Key);

        Assert.True(result.ExitCode == 0, result.ToString());
        var validated = await Validate(result.Output.Trim(), Key);
        Assert.True(validated.IsValid, validated.Exception?.Message);
        var token = (JsonWebToken)validated.SecurityToken;
        Assert.Equal(customerId.ToString(), token.Subject);
        Assert.Equal(customerId.ToString(), token.GetClaim(ShopClaims.CustomerId).Value);
        Assert.Equal("ada@example.com", token.GetClaim(ShopClaims.Email).Value);
        Assert.Equal([ShopRoles.Customer], token.Claims.Where(c => c.Type == ShopClaims.Role).Select(c => c.Value));
        Assert.InRange(token.ValidTo - token.ValidFrom, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(31));
    }

    [Fact]
    public async Task Should_carry_every_role_given_and_no_customer_for_staff()
    {
        var result = await _shop.Run("token", "--role", "operator", "--role", "catalog-admin", "--signing-key", Key);

        var token = (JsonWebToken)(await Validate(result.Output.Trim(), Key)).SecurityToken;
        Assert.Equal(["operator", "catalog-admin"], token.Claims.Where(c => c.Type == ShopClaims.Role).Select(c => c.Value));
        Assert.False(token.TryGetClaim(ShopClaims.CustomerId, out _));
    }

    [Fact]
    public async Task Should_sign_with_the_development_key_when_given_none()
    {
        var result = await _shop.Run("token");

        Assert.True((await Validate(result.Output.Trim(), LocalTokenIssuer.DevelopmentSigningKey)).IsValid, result.ToString());
    }

    [Theory]
    [InlineData("--role", "admin")]
    [InlineData("--signing-key", "short")]
    [InlineData("--expires", "-00:01:00")]
    public async Task Should_refuse_what_makes_no_token(string option, string value)
    {
        var result = await _shop.Run("token", option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Output);
    }

    static Task<TokenValidationResult> Validate(string token, string key) =>
        new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = LocalTokenIssuer.DefaultIssuer,
            ValidAudience = LocalTokenIssuer.DefaultAudience,
            IssuerSigningKey = LocalTokenIssuer.SigningKey(key),
        });
}
