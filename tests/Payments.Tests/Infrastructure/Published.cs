using System.Collections.Concurrent;
using MassTransit;
using Shop.Contracts.Payments;

namespace Shop.Payments.Tests.Infrastructure;

/// <summary>What the payments service published (and the faults it raised), seen by observer consumers on the same bus.</summary>
public sealed class Published
{
    readonly ConcurrentQueue<object> _messages = new();

    public void Add(object message) => _messages.Enqueue(message);

    public IReadOnlyList<T> All<T>(Func<T, bool> match) => _messages.OfType<T>().Where(match).ToList();

    public async Task<IReadOnlyList<T>> WaitFor<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var matching = All(match);
            if (matching.Count >= count)
                return matching;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {count} {typeof(T).Name} message(s), saw {matching.Count}.");
            await Task.Delay(50);
        }
    }
}

public sealed class PaymentCompletedObserver(Published published) : IConsumer<PaymentCompleted>
{
    public Task Consume(ConsumeContext<PaymentCompleted> context) => Record(published, context.Message);

    internal static Task Record(Published published, object message)
    {
        published.Add(message);
        return Task.CompletedTask;
    }
}

public sealed class PaymentFailedObserver(Published published) : IConsumer<PaymentFailed>
{
    public Task Consume(ConsumeContext<PaymentFailed> context) => PaymentCompletedObserver.Record(published, context.Message);
}

public sealed class PaymentRefundedObserver(Published published) : IConsumer<PaymentRefunded>
{
    public Task Consume(ConsumeContext<PaymentRefunded> context) => PaymentCompletedObserver.Record(published, context.Message);
}

public sealed class ProcessPaymentFaultObserver(Published published) : IConsumer<Fault<ProcessPayment>>
{
    public Task Consume(ConsumeContext<Fault<ProcessPayment>> context) => PaymentCompletedObserver.Record(published, context.Message);
}
