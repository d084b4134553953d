using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_a_service_uses_the_shared_bus_set_up(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_report_the_bus_and_the_database_as_readiness_checks()
    {
        await using var host = await ShopTestHost.Start(environment);

        var report = await host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Tags.Contains("ready"));

        Assert.Contains("database", report.Entries.Keys);
        Assert.Contains(report.Entries.Keys, name => name.Contains("masstransit", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task Should_run_the_same_consumers_with_the_durable_store_on_the_in_memory_transport()
    {
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory"
        });
        const string key = "in-memory";

        await host.InScope(async services =>
        {
            await services.GetRequiredService<IPublishEndpoint>().Publish(new PublishThenFail(key, FailTimes: 1, Transient: true));
            await services.GetRequiredService<TestDbContext>().SaveChangesAsync();
        });

        await host.Observed.WaitFor<Echoed>(e => e.Key == key);
        await host.WaitUntilQuiet();
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
        await using var db = environment.CreateDbContext();
        Assert.Equal(1, await db.Effects.CountAsync(e => e.Key == key));
    }

    [Fact]
    public async Task Should_name_an_unknown_transport_in_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Carrier-Pigeon"
        }));

        Assert.Contains("Carrier-Pigeon", error.Message);
    }
}
