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
