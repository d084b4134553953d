using System.Collections.Concurrent;
using MassTransit;

namespace Shop.Messaging.EntityFrameworkCore;

/// <summary>
/// Which consumers carry the durable store's attributes (<see cref="ConsumesOutsideTransactionAttribute"/>,
/// <see cref="ClaimAtCommitAttribute"/>), by the name MassTransit gives them in the outbox options, learnt as endpoints
/// are configured: the outbox sees a consumer's name, never its type.
/// </summary>
static class ConsumerAttributes
{
    readonly record struct Marks(bool OutsideTransaction, bool ClaimAtCommit);

    static readonly ConcurrentDictionary<string, Marks> Consumers = new();

    public static bool ConsumesOutsideTransaction(string? consumerType) => Find(consumerType).OutsideTransaction;

    public static bool ClaimsAtCommit(string? consumerType) => Find(consumerType).ClaimAtCommit;

    public static void Remember<TConsumer>() where TConsumer : class =>
        Consumers[TypeCache<TConsumer>.ShortName] = new Marks(typeof(TConsumer).IsDefined(typeof(ConsumesOutsideTransactionAttribute), false),
            typeof(TConsumer).IsDefined(typeof(ClaimAtCommitAttribute), false));

    static Marks Find(string? consumerType) => consumerType is null ? default : Consumers.GetValueOrDefault(consumerType);

    public sealed class Observer : IConsumerConfigurationObserver
    {
        public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class => Remember<TConsumer>();

        public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
            where TConsumer : class where TMessage : class
        {
        }
    }
}
