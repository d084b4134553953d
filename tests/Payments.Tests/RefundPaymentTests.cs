using Shop.Contracts.Payments;
using Shop.Payments.Tests.Infrastructure;
using Shop.Payments.Worker.Persistence;

namespace Shop.Payments.Tests;

public sealed class When_a_payment_is_refunded(PaymentsService service) : IClassFixture<PaymentsService>
{
    [Fact]
    public async Task Should_refund_the_charge_once_even_if_asked_twice()
    {
        var orderId = Guid.NewGuid();
        await service.Process(new ProcessPayment(orderId, 75m, "EUR", "tok_visa"));
        var charge = (await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId)).Single();

        await service.Refund(new RefundPayment(orderId, "stock ran out"));
        await service.Published.WaitFor<PaymentRefunded>(m => m.OrderId == orderId);
        await service.Refund(new RefundPayment(orderId, "stock ran out"));

        var refunds = await service.Published.WaitFor<PaymentRefunded>(m => m.OrderId == orderId, count: 2);
        Assert.All(refunds, refunded => Assert.Equal(new PaymentRefunded(orderId, charge.PaymentId, 75m, "EUR"), refunded));
        var refund = Assert.Single(await service.Refunds(orderId));
        Assert.Equal("stock ran out", refund.Reason);
        Assert.Equal(1, service.Gateway.Refunds(orderId));
    }

    [Fact]
    public async Task Should_refund_nothing_and_refuse_a_later_charge_when_nothing_was_charged()
    {
        var orderId = Guid.NewGuid();

        await service.Refund(new RefundPayment(orderId, "order timed out"));

        var refunded = (await service.Published.WaitFor<PaymentRefunded>(m => m.OrderId == orderId)).Single();
        Assert.Equal(0m, refunded.Amount);
        Assert.Equal(PaymentStatus.Voided, Assert.Single(await service.Ledger(orderId)).Status);

        // The charge request was still on its way when the saga gave up: it must not take money any more.
        await service.Process(new ProcessPayment(orderId, 12m, "EUR", "tok_visa"));

        var failed = (await service.Published.WaitFor<PaymentFailed>(m => m.OrderId == orderId)).Single();
        Assert.Contains("cancelled before the payment was taken", failed.Reason);
        Assert.Equal(0, service.Gateway.ChargeCalls(orderId));
        Assert.Empty(await service.Refunds(orderId));
    }

    [Fact]
    public async Task Should_refund_nothing_for_a_declined_payment()
    {
        var orderId = Guid.NewGuid();
        await service.Process(new ProcessPayment(orderId, 8m, "EUR", "tok_declined"));
        await service.Published.WaitFor<PaymentFailed>(m => m.OrderId == orderId);

        await service.Refund(new RefundPayment(orderId, "payment failed"));

        var refunded = (await service.Published.WaitFor<PaymentRefunded>(m => m.OrderId == orderId)).Single();
        Assert.Equal(0m, refunded.Amount);
        Assert.Equal("EUR", refunded.Currency);
        Assert.Equal(0, service.Gateway.Refunds(orderId));
        Assert.Empty(await service.Refunds(orderId));
    }
}
