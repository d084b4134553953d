using System.Text.Json;
using MassTransit;
using Shop.Contracts.Payments;
using Shop.Payments.Tests.Infrastructure;
using Shop.Payments.Worker.Consumers;
using Shop.Testing;

namespace Shop.Payments.Tests;

public sealed class When_a_payment_request_is_invalid(PaymentsService service) : IClassFixture<PaymentsService>
{
    [Fact]
    public async Task Should_move_it_to_the_error_queue_with_a_fault_without_charging()
    {
        var orderId = Guid.NewGuid();

        await service.Process(new ProcessPayment(orderId, 0m, "EUR", "tok_visa"));

        var fault = (await service.Published.WaitFor<Fault<ProcessPayment>>(f => f.Message.OrderId == orderId)).Single();
        var exception = Assert.Single(fault.Exceptions);
        Assert.Equal(typeof(InvalidPaymentRequestException).FullName, exception.ExceptionType);
        Assert.Contains("greater than zero", exception.Message);

        var errored = await Eventually.Returns(() => service.Queues.Take("process-payment_error"),
            messages => messages.Count > 0, "a message in process-payment_error");
        Assert.Equal(typeof(InvalidPaymentRequestException).FullName, Assert.Single(errored).Headers["MT-Fault-ExceptionType"]);
        Assert.Contains(orderId.ToString(), errored[0].Body);

        Assert.Empty(await service.Ledger(orderId));
        Assert.Equal(0, service.Gateway.ChargeCalls(orderId));
        Assert.Empty(service.Published.All<PaymentFailed>(m => m.OrderId == orderId));
    }
}
