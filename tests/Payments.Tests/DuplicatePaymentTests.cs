using Shop.Contracts.Payments;
using Shop.Payments.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Payments.Tests;

public sealed class When_a_payment_is_requested_more_than_once(PaymentsService service) : IClassFixture<PaymentsService>
{
    [Fact]
    public async Task Should_charge_once_when_the_broker_delivers_the_command_again()
    {
        var orderId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var command = new ProcessPayment(orderId, 20m, "EUR", "tok_visa");

        await service.Process(command, messageId);
        await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId);
        await service.Process(command, messageId);

        await Eventually.Returns(() => service.ReceiveCount(messageId), n => n == 2, "the inbox to see the second delivery");
        await service.WaitUntilQuiet();
        Assert.Single(await service.Ledger(orderId));
        Assert.Equal(1, service.Gateway.ChargeCalls(orderId));
        Assert.Single(service.Published.All<PaymentCompleted>(m => m.OrderId == orderId));
    }

    [Fact]
    public async Task Should_charge_once_and_publish_the_outcome_again_for_a_new_request()
    {
        var orderId = Guid.NewGuid();
        var command = new ProcessPayment(orderId, 20m, "EUR", "tok_visa");

        await service.Process(command);
        var first = (await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId)).Single();
        await service.Process(command);

        var both = await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId, count: 2);
        Assert.All(both, completed => Assert.Equal(first, completed));
        Assert.Single(await service.Ledger(orderId));
        Assert.Equal(1, service.Gateway.ChargeCalls(orderId));
    }

    [Fact]
    public async Task Should_publish_a_decline_again_without_asking_the_gateway()
    {
        var orderId = Guid.NewGuid();
        var command = new ProcessPayment(orderId, 20m, "EUR", "tok_declined");

        await service.Process(command);
        await service.Published.WaitFor<PaymentFailed>(m => m.OrderId == orderId);
        await service.Process(command);

        var both = await service.Published.WaitFor<PaymentFailed>(m => m.OrderId == orderId, count: 2);
        Assert.All(both, failed => Assert.Equal("card declined", failed.Reason));
        Assert.Equal(1, service.Gateway.ChargeCalls(orderId));
    }

    [Fact]
    public async Task Should_charge_once_when_requests_for_the_same_order_race()
    {
        var orderId = Guid.NewGuid();
        const int copies = 5;

        await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => service.Process(new ProcessPayment(orderId, 30m, "EUR", "tok_visa"))));

        var outcomes = await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId, count: copies);
        Assert.Single(outcomes.Select(o => o.PaymentId).Distinct());
        Assert.Single(await service.Ledger(orderId));
        Assert.Equal(1, service.Gateway.Charges(orderId));
    }
}
