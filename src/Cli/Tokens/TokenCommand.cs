using System.CommandLine;
using Shop.Cli.Configuration;
using Shop.Cli.Output;
using Shop.Identity;

namespace Shop.Cli.Tokens;

/// <summary>
/// <c>shop token</c>: mints a bearer token of the local issuer, signed with <c>Auth:LocalIssuer:SigningKey</c> (the same
/// setting the API reads: <c>--signing-key</c>, the settings file or <c>Auth__LocalIssuer__SigningKey</c>), else with the
/// public development key of the standalone shop and the Development environment. A production API trusts its
/// identity provider instead, and no token minted here.
/// </summary>
public static class TokenCommand
{
    public static Command Create(CliConsole console)
    {
        var roles = new Option<string[]>("--role")
        {
            Description = $"a role of the token, repeatable: {string.Join(", ", ShopRoles.All)}",
            DefaultValueFactory = _ => [ShopRoles.Customer],
            AllowMultipleArgumentsPerToken = true,
        };
        roles.AcceptOnlyFromAmong([.. ShopRoles.All]);
        var customerId = new Option<Guid?>("--customer-id") { Description = "the customer a customer token acts as (default: a new id)" };
        var email = new Option<string?>("--email") { Description = "the customer's email (default: customer@example.com for a customer token)" };
        var subject = new Option<string?>("--subject") { Description = "the token's subject (default: the customer id, else the first role)" };
        var expires = new Option<TimeSpan>("--expires")
        {
            Description = "how long the token is valid, e.g. 01:00:00 or 8.00:00:00",
            DefaultValueFactory = _ => LocalTokenIssuer.DefaultLifetime,
        };
        var signingKey = new Option<string?>("--signing-key") { Description = "the key (default: Auth:LocalIssuer:SigningKey, else the development key)" };
        var issuer = new Option<string?>("--issuer") { Description = $"default: Auth:LocalIssuer:Issuer, else {LocalTokenIssuer.DefaultIssuer}" };
        var audience = new Option<string?>("--audience") { Description = $"default: Auth:Audience, else {LocalTokenIssuer.DefaultAudience}" };

        var command = new Command("token", "mint a bearer token for the API from the local issuer (development, standalone, tests)")
        {
            roles, customerId, email, subject, expires, signingKey, issuer, audience
        };
        command.SetAction(parse =>
        {
            var configuration = BusConnection.From(parse).Configuration;
            var lifetime = parse.GetValue(expires);
            if (lifetime <= TimeSpan.Zero)
                throw new CliException(ExitCodes.Usage, "--expires must be positive.");
            var chosen = parse.GetValue(roles)!.Distinct().ToArray();
            var isCustomer = chosen.Contains(ShopRoles.Customer);
            var customer = isCustomer ? parse.GetValue(customerId) ?? Guid.NewGuid() : parse.GetValue(customerId);
            var mail = parse.GetValue(email) ?? (isCustomer ? "customer@example.com" : null);
            var key = parse.GetValue(signingKey) ?? configuration["Auth:LocalIssuer:SigningKey"] ?? LocalTokenIssuer.DevelopmentSigningKey;

            LocalTokenIssuer local;
            try
            {
                local = new LocalTokenIssuer(key, parse.GetValue(issuer) ?? configuration["Auth:LocalIssuer:Issuer"] ?? LocalTokenIssuer.DefaultIssuer,
                    parse.GetValue(audience) ?? configuration["Auth:Audience"] ?? LocalTokenIssuer.DefaultAudience);
            }
            catch (ArgumentException exception)
            {
                throw new CliException(ExitCodes.Usage, $"--signing-key: {exception.Message.Split(" (Parameter")[0]}");
            }

            var sub = parse.GetValue(subject) ?? customer?.ToString() ?? chosen[0];
            var token = local.Issue(new TokenRequest(sub, chosen, customer, mail, lifetime));
            if (parse.GetValue(GlobalOptions.Output) == OutputFormat.Json)
                console.WriteJson(new { token, subject = sub, roles = chosen, customerId = customer, email = mail, expiresAt = DateTime.UtcNow + lifetime });
            else
                console.WriteLine(token);
            return ExitCodes.Ok;
        });
        return command;
    }
}
