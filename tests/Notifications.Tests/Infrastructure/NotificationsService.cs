using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Notifications.Worker.Extensions;
using Shop.Notifications.Worker.Persistence;
using Shop.ServiceDefaults;
using Shop.Testing;

namespace Shop.Notifications.Tests.Infrastructure;

/// <summary>The notifications service composed as Program.cs does (<c>AddNotifications()</c>, migrations), on a vhost and database of its own.</summary>
public sealed class NotificationsService : IntegrationEnvironment
{
    IHost? _host;

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The service has not started.");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(WithTransport(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Notifications"] = ConnectionString,
            ["Messaging:Retry:ImmediateLimit"] = "3",
            ["Messaging:Retry:ImmediateMinInterval"] = "00:00:00.050",
            ["Messaging:Retry:ImmediateMaxInterval"] = "00:00:00.200",
            ["Messaging:Retry:ImmediateIntervalDelta"] = "00:00:00.050",
            ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:00.500",
            ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
        }));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Shop", Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("SHOP_TEST_LOG_LEVEL") ?? "Warning"));

        builder.AddNotifications();

        _host = builder.Build();
        await _host.MigrateDatabaseAsync<NotificationsDbContext>();
        await _host.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(TimeSpan.FromSeconds(15));
            _host.Dispose();
        }

        await base.DisposeAsync();
    }

    /// <summary>Publishes as the order saga does; a fixed <paramref name="messageId"/> makes the copy look like a redelivery.</summary>
    public Task Publish<T>(T message, Guid messageId) where T : class =>
        Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);

    public NotificationsDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<NotificationsDbContext>().UseNpgsql(ConnectionString).Options);

    public async Task<List<NotificationRecord>> Notifications(Guid orderId)
    {
        await using var db = CreateDbContext();
        return await db.Notifications.Where(n => n.OrderId == orderId).ToListAsync();
    }

    public async Task<int> ReceiveCount(Guid messageId)
    {
        await using var db = CreateDbContext();
        return await db.Set<InboxState>().Where(x => x.MessageId == messageId).SumAsync(x => x.ReceiveCount);
    }

    public async Task<bool> Consumed(Guid messageId)
    {
        await using var db = CreateDbContext();
        return await db.Set<InboxState>().AnyAsync(x => x.MessageId == messageId && x.Consumed != null);
    }
}
