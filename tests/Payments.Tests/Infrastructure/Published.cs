using MassTransit;
using Shop.Testing;
using Shop.Contracts.Payments;

namespace Shop.Payments.Tests.Infrastructure;

/// <summary>What the payments service published (and the faults it raised), seen by observer consumers on the same bus.</summary>
public sealed class Published : MessageLog;

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
