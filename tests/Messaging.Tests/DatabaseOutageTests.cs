using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// While the service's database cannot be reached, a message fails through no fault of its own, and its redelivery
/// cannot be scheduled (the schedule lives in that database): it must go back to its queue, not to the error queue.
/// </summary>
public sealed class When_the_database_is_unreachable(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Should_return_the_message_to_its_queue_instead_of_the_error_queue()
    {
        // Nothing listens on port 1: every connection is refused at once.
        await using var host = await ShopTestHost.Start(environment, new Dictionary<string, string?>
        {
            ["Messaging:DurableStore:DeliveryEnabled"] = "false",
            // An outage is not the message's fault: returning it must not use up its deliveries.
            ["Messaging:RabbitMq:DeliveryLimit"] = "2",
        }, useDatabase: o => o.UseNpgsql("Host=127.0.0.1;Port=1;Username=shop;Password=shop;Database=none;Timeout=2"));
        var receives = new ReceiveCounter();
        host.Bus.ConnectReceiveObserver(receives);

        var messageId = NewId.NextGuid();
        await host.Bus.Publish(new RecordEffect("database-down"), c => c.MessageId = messageId);

        // Received, failed, returned and received again, more often than the delivery limit would allow.
        await Eventually.Returns(() => Task.FromResult(receives.Of(messageId)), n => n >= 5, "the message to come back from its queue",
            TimeSpan.FromSeconds(90));
        Assert.Empty(await environment.Queues.Take("record-effect_error"));
    }

    sealed class ReceiveCounter : IReceiveObserver
    {
        readonly ConcurrentDictionary<Guid, int> _counts = new();

        public int Of(Guid messageId) => _counts.GetValueOrDefault(messageId);

        public Task PreReceive(ReceiveContext context)
        {
            if (context.TransportHeaders.Get<string>("MessageId") is { } id && Guid.TryParse(id, out var messageId))
                _counts.AddOrUpdate(messageId, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
            Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;
    }
}
