using Npgsql;
using Shop.Contracts.Payments;
using Shop.Payments.Tests.Infrastructure;
using Shop.Payments.Worker.Persistence;
using Shop.Testing;

namespace Shop.Payments.Tests;

/// <summary>
/// The gateway may take seconds: the payment's database transaction (and its pooled connection) must not wait with
/// it. The attempt is on record before the gateway is asked, the outcome after.
/// </summary>
public sealed class When_the_gateway_takes_its_time(PaymentsService service) : IClassFixture<PaymentsService>
{
    [Fact]
    public async Task Should_hold_no_transaction_open_while_it_waits_and_have_the_attempt_on_record()
    {
        var orderId = Guid.NewGuid();
        await service.Process(new ProcessPayment(orderId, 25m, "EUR", CountingPaymentGateway.HeldToken));
        await Eventually.Completes(service.Gateway.Waiting(orderId), "the payment to reach the gateway");

        try
        {
            Assert.Equal(0, await OpenTransactions());
            var attempt = Assert.Single(await service.Ledger(orderId));
            Assert.Equal("Pending", attempt.Status.ToString());
        }
        finally
        {
            service.Gateway.Release(orderId);
        }

        var completed = (await service.Published.WaitFor<PaymentCompleted>(m => m.OrderId == orderId)).Single();
        var payment = Assert.Single(await service.Ledger(orderId));
        Assert.Equal(payment.Id.ToString(), completed.PaymentId);
        Assert.Equal(1, service.Gateway.Charges(orderId));
    }

    [Fact]
    public async Task Should_never_answer_a_refund_with_nothing_refunded_while_the_charge_is_at_the_gateway()
    {
        // The charge's attempt is on record and its outcome is not: the gateway may still take the money.
        var orderId = Guid.NewGuid();
        await using (var db = service.CreateDbContext())
        {
            db.Payments.Add(Payment.Start(Guid.NewGuid(), orderId, 25m, "EUR", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        await service.Refund(new RefundPayment(orderId, "payment timed out"));

        // Retried until its retries run out (a real charge would have its outcome long before), then the error queue.
        var faulted = await Shop.Testing.Eventually.Returns(() => service.Queues.Take("refund-payment_error"), m => m.Count == 1,
            "the refund in the error queue", TimeSpan.FromSeconds(60));
        Assert.Contains("still waiting for the gateway", faulted[0].Headers["MT-Fault-Message"]);
        Assert.Empty(service.Published.All<PaymentRefunded>(m => m.OrderId == orderId));
        Assert.Equal(0, service.Gateway.Refunds(orderId));
    }

    /// <summary>Connections of the payments database inside a transaction and waiting on their client.</summary>
    async Task<long> OpenTransactions()
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
            connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
