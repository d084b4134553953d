using MassTransit;
using Shop.Testing;

namespace Shop.Orders.Tests.Infrastructure;

/// <summary>Messages the fake neighbour services saw.</summary>
public sealed class Observed : MessageLog;

/// <summary>Records every message of <typeparamref name="T"/> it receives.</summary>
public sealed class ObserverConsumer<T>(Observed observed) : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        observed.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>A message as it came off the broker, before deserialisation: what any subscriber could read in it.</summary>
public sealed record RawMessage(Type MessageType, string Body);

/// <summary>Records the message and its raw body.</summary>
public sealed class RawBodyObserver<T>(Observed observed) : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        observed.Add(context.Message);
        observed.Add(new RawMessage(typeof(T), context.ReceiveContext.Body.GetString()));
        return Task.CompletedTask;
    }
}
