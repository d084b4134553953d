using Shop.Contracts.Payments;
using Shop.Payments.Tests.Infrastructure;
using Shop.Payments.Worker.Persistence;

namespace Shop.Payments.Tests;

public sealed class When_a_payment_is_processed(PaymentsService service) : IClassFixture<PaymentsService>
{
    [Fact]
    public async Task Should_complete_the_payment_of_an_approved_card()
    {
        var orderId = Guid.NewGuid();

        await service.Process(new ProcessPayment(orderId, 42.50m, "EUR", "tok_visa"));

        var completed = (await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId)).Single();
        Assert.Equal(42.50m, completed.Amount);
        Assert.Equal("EUR", completed.Currency);
        var payment = Assert.Single(await service.Ledger(orderId));
        Assert.Equal(PaymentStatus.Completed, payment.Status);
        Assert.Equal(payment.Id.ToString(), completed.PaymentId);
        Assert.StartsWith("sim_ch_", payment.ProviderReference);
        await service.WaitUntilQuiet();
        Assert.Empty(service.Published.All<PaymentFailed>(m => m.OrderId == orderId));
    }

    [Theory]
    [InlineData("tok_declined", "card declined")]
    [InlineData("tok_insufficient_funds", "insufficient funds")]
    public async Task Should_fail_the_payment_when_the_card_is_declined(string cardToken, string reason)
    {
        var orderId = Guid.NewGuid();

        await service.Process(new ProcessPayment(orderId, 10m, "EUR", cardToken));

        var failed = (await service.Published.WaitFor<PaymentFailed>(m => m.OrderId == orderId)).Single();
        Assert.Equal(reason, failed.Reason);
        var payment = Assert.Single(await service.Ledger(orderId));
        Assert.Equal(PaymentStatus.Declined, payment.Status);
        Assert.Equal(0, service.Gateway.Charges(orderId));
        await service.WaitUntilQuiet();
        Assert.Empty(service.Published.All<PaymentCompleted>(m => m.OrderId == orderId));
    }

    [Fact]
    public async Task Should_complete_after_transient_gateway_failures_with_one_ledger_row()
    {
        var orderId = Guid.NewGuid();

        await service.Process(new ProcessPayment(orderId, 99.99m, "USD", "tok_flaky"));

        await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId);
        var payment = Assert.Single(await service.Ledger(orderId));
        Assert.Equal(PaymentStatus.Completed, payment.Status);
        Assert.Equal(3, service.Gateway.ChargeCalls(orderId));
        Assert.Equal(1, service.Gateway.Charges(orderId));
    }

    [Fact]
    public async Task Should_fail_with_a_timeout_when_the_gateway_never_answers_in_time()
    {
        var orderId = Guid.NewGuid();

        await service.Process(new ProcessPayment(orderId, 5m, "EUR", "tok_slow"));

        // The pipeline gives up after its retries; the order gets a definite answer instead of hanging.
        var failed = (await service.Published.WaitFor<PaymentFailed>(m => m.OrderId == orderId)).Single();
        Assert.Equal("payment gateway timed out", failed.Reason);
        var payment = Assert.Single(await service.Ledger(orderId));
        Assert.Equal(PaymentStatus.Failed, payment.Status);
        Assert.Equal(1 + int.Parse(PaymentsService.GatewaySettings["Payments:Gateway:Resilience:MaxRetryAttempts"]!), service.Gateway.ChargeCalls(orderId));
        Assert.Equal(0, service.Gateway.Charges(orderId));
    }
}
