using System.Collections.Concurrent;
using MassTransit;

namespace Shop.Messaging.EntityFrameworkCore;

/// <summary>
/// For a consumer that waits on something outside its database (a payment gateway, a slow decoder): it runs without
/// a database transaction, so no connection is held while it waits. Its own <c>SaveChanges</c> calls commit at once
/// (record an attempt before the call, as a ledger would); what it publishes or sends, its last changes and the inbox
/// row commit together when it returns. The inbox still keeps a redelivered message from running it again once it
/// has committed, and a concurrent duplicate's messages never go out, but two concurrent deliveries may both run it
/// up to that commit: the external call must be idempotent (an idempotency key, as payment providers take).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConsumesOutsideTransactionAttribute : Attribute
{
    static readonly ConcurrentDictionary<string, bool> Consumers = new();

    /// <summary>Whether the consumer named as MassTransit names it in the outbox options carries the attribute.</summary>
    internal static bool Applies(string? consumerType) => consumerType is not null && Consumers.GetValueOrDefault(consumerType);

    internal static void Remember<TConsumer>() where TConsumer : class =>
        Consumers[TypeCache<TConsumer>.ShortName] = typeof(TConsumer).IsDefined(typeof(ConsumesOutsideTransactionAttribute), false);

    /// <summary>Learns, as endpoints are configured, which consumers carry the attribute.</summary>
    internal sealed class Observer : IConsumerConfigurationObserver
    {
        public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class => Remember<TConsumer>();

        public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
            where TConsumer : class where TMessage : class
        {
        }
    }
}
