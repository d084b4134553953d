using MassTransit;
using Shop.Testing;

namespace Shop.Orders.Tests.Infrastructure;

/// <summary>A message as it came off the broker, before deserialisation: what any subscriber could read in it.</summary>
public sealed record RawMessage(Type MessageType, string Body);

/// <summary>Records the message and its raw body.</summary>
public sealed class RawBodyObserver<T>(MessageLog log) : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        log.Add(context);
        log.Add(new RawMessage(typeof(T), context.ReceiveContext.Body.GetString()));
        return Task.CompletedTask;
    }
}
