using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.BlobStorage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

public sealed class When_readiness_is_asked(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_not_be_ready_while_more_outboxes_wait_than_the_limit()
    {
        // Nothing delivers, so every committed publish stays an outbox waiting for delivery.
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:DeliveryEnabled"] = "false",
            ["Messaging:DurableStore:DeliverAfterCommit"] = "false",
            ["Messaging:DurableStore:ReadyOutboxBacklog"] = "2",
        });

        Assert.Equal(HealthStatus.Healthy, (await Ready(host)).Entries["outbox"].Status);

        for (var i = 0; i < 3; i++)
            await PublishInTransaction(host, $"backlog-{i}");

        var report = await Ready(host);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["outbox"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["database"].Status);
    }

    [Fact]
    public async Task Should_check_that_the_blob_storage_takes_a_write()
    {
        var root = Directory.CreateTempSubdirectory("shop-ready-").FullName;
        var notADirectory = Path.Combine(root, "file");
        await File.WriteAllTextAsync(notADirectory, "in the way");
        try
        {
            await using var writable = await ShopTestHost.Start(environment, configureServices: services => services.AddBlobStorage(DiskAt(root)));
            var ready = await Ready(writable);
            Assert.Equal(HealthStatus.Healthy, ready.Entries["blob-storage"].Status);
            Assert.Equal([notADirectory], Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories));

            await using var broken = await ShopTestHost.Start(environment, configureServices: services => services.AddBlobStorage(DiskAt(notADirectory)));
            var report = await Ready(broken);
            Assert.Equal(HealthStatus.Unhealthy, report.Entries["blob-storage"].Status);
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Should_keep_liveness_to_the_process_itself()
    {
        await using var host = await ShopTestHost.Start(environment, configureServices: services =>
            services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]));

        var live = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("live"));

        Assert.Equal(["self"], live.Entries.Keys);
    }

    static IConfiguration DiskAt(string root) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["BlobStorage:Provider"] = "Disk", ["BlobStorage:Disk:Root"] = root })
        .Build();

    static Task<HealthReport> Ready(ShopTestHost host) =>
        host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("ready"));

    static Task PublishInTransaction(ShopTestHost host, string key) => host.InScope(async services =>
    {
        var db = services.GetRequiredService<TestDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await services.GetRequiredService<IPublishEndpoint>().Publish(new Ping(key));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    });
}
