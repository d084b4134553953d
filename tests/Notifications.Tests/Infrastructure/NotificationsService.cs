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
    TestService? _service;

    public IServiceProvider Services => _service?.Services ?? throw new InvalidOperationException("The service has not started.");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        _service = await TestServiceBuilder.Worker(this)
            .With(new Dictionary<string, string?> { ["ConnectionStrings:Notifications"] = ConnectionString })
            .Add(builder => builder.AddNotifications())
            .BeforeStart(host => host.MigrateDatabaseAsync<NotificationsDbContext>())
            .Start();
    }

    public override async Task DisposeAsync()
    {
        if (_service is not null)
            await _service.DisposeAsync();
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
