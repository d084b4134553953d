using DotNet.Testcontainers.Builders;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Shop.Testing;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ are. From the environment (set by <c>scripts/services.sh</c>), else
/// from containers when a Docker engine answers, else a failure that says what to run. Never a skip.
/// </summary>
public static class TestServices
{
    const string Advice =
        "Integration tests need a real PostgreSQL and RabbitMQ. Run `scripts/test.sh` (it installs and starts both), " +
        "or start them with `scripts/services.sh` and export the SHOP_TEST_POSTGRES, SHOP_TEST_RABBITMQ and " +
        "SHOP_TEST_RABBITMQ_MANAGEMENT settings it prints.";

    static readonly Lazy<Task<Endpoints>> Resolved = new(Resolve);

    public sealed record Endpoints(string PostgresAdmin, Uri RabbitMq, Uri RabbitMqManagement, bool InContainers);

    public static Task<Endpoints> Get() => Resolved.Value;

    static async Task<Endpoints> Resolve()
    {
        var postgres = Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("SHOP_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("SHOP_TEST_RABBITMQ_MANAGEMENT");

        if (!string.IsNullOrWhiteSpace(postgres) && !string.IsNullOrWhiteSpace(rabbit) && !string.IsNullOrWhiteSpace(management))
            return new Endpoints(postgres, new Uri(rabbit), new Uri(management), false);

        try
        {
            return await StartContainers();
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException(
                $"{Advice} The settings are not set and no Docker engine could start them either ({exception.GetBaseException().Message}).",
                exception);
        }
    }

    static async Task<Endpoints> StartContainers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var postgres = new PostgreSqlBuilder("postgres:15").WithUsername("shop").WithPassword("shop").WithDatabase("shop").Build();
        var rabbit = new RabbitMqBuilder("rabbitmq:3-management").WithUsername("shop").WithPassword("shop")
            .WithPortBinding(15672, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(15672).ForPath("/api/overview")
                .WithBasicAuthentication("shop", "shop")))
            .Build();

        await Task.WhenAll(postgres.StartAsync(timeout.Token), rabbit.StartAsync(timeout.Token));

        var amqp = new UriBuilder(rabbit.GetConnectionString()) { UserName = "shop", Password = "shop", Path = "/" }.Uri;
        var http = new UriBuilder("http", rabbit.Hostname, rabbit.GetMappedPublicPort(15672)) { UserName = "shop", Password = "shop" }.Uri;
        return new Endpoints(postgres.GetConnectionString(), amqp, http, true);
    }
}
