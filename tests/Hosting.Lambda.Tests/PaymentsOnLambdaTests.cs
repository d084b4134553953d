using Shop.Contracts.Payments;
using Shop.Hosting.Lambda.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests;

/// <summary>
/// The Payments worker as a Lambda function: SQS events whose records are messages our transport put on fauxqs, handed
/// to the worker by a Runtime API peer; the worker's own receive pipeline (inbox, consumer, outbox) does the work.
/// </summary>
public sealed class PaymentsOnLambdaTests(PaymentsFunction function) : IClassFixture<PaymentsFunction>
{
    static readonly TimeSpan Plenty = TimeSpan.FromMinutes(2);

    static ProcessPayment Payment() => new(Guid.NewGuid(), 25.00m, "EUR", "tok_visa");

    static List<string> Failures(InvocationResult result) => WorkerFunction.Failures(result);

    [Fact]
    public async Task When_one_record_of_ten_is_poison_should_return_exactly_that_one()
    {
        var commands = Enumerable.Range(0, 10).Select(_ => Payment()).ToList();
        var records = await function.ProduceRecords(commands);
        var poison = records[4];
        WorkerFunction.PointBodyAtNothing(poison);

        var result = await function.Runtime.InvokeAsync(PaymentsFunction.Event(records), Plenty);

        Assert.Equal([poison["messageId"]!.GetValue<string>()], Failures(result));
        var charged = new List<int>();
        foreach (var command in commands)
            charged.Add(await function.Payments(command.OrderId));
        Assert.Equal(9, charged.Sum());
        Assert.Equal(10, charged.Count);
    }

    [Fact]
    public async Task When_the_consumer_rejects_a_record_should_move_it_to_the_error_queue_and_not_return_it()
    {
        // Returned as well, Lambda would deliver it again and the pipeline would park it a second time.
        var invalid = new ProcessPayment(Guid.NewGuid(), 0m, "EUR", "tok_visa");
        var valid = Payment();
        var records = await function.ProduceRecords([invalid, valid]);

        var result = await function.Runtime.InvokeAsync(PaymentsFunction.Event(records), Plenty);

        Assert.Empty(Failures(result));
        var errors = await Eventually.Returns(function.TakeErrors, bodies => bodies.Any(b => b.Contains(invalid.OrderId.ToString())),
            "the rejected command in process-payment_error");
        Assert.Single(errors, b => b.Contains(invalid.OrderId.ToString()));
        Assert.Equal(0, await function.Payments(invalid.OrderId));
        Assert.Equal(1, await function.Payments(valid.OrderId));
    }

    [Fact]
    public async Task When_a_record_comes_twice_should_charge_once()
    {
        var command = Payment();
        var record = (await function.ProduceRecords([command])).Single();

        var first = await function.Runtime.InvokeAsync(PaymentsFunction.Event([record, record]), Plenty);
        var second = await function.Runtime.InvokeAsync(PaymentsFunction.Event([record]), Plenty);

        Assert.Empty(Failures(first));
        Assert.Empty(Failures(second));
        Assert.Equal(1, await function.Payments(command.OrderId));
        await Eventually.Returns(() => Task.FromResult(function.Completed.Count(c => c.OrderId == command.OrderId)), n => n >= 1,
            "the PaymentCompleted of the order");
        Assert.Single(function.Completed, c => c.OrderId == command.OrderId);
    }

    [Fact]
    public async Task When_the_deadline_is_near_should_return_the_records_untouched()
    {
        var commands = Enumerable.Range(0, 3).Select(_ => Payment()).ToList();
        var records = await function.ProduceRecords(commands);

        // Less than the worker's reserve per record (Lambda:RecordTimeReserve, 5 s): none may start.
        var result = await function.Runtime.InvokeAsync(PaymentsFunction.Event(records), TimeSpan.FromSeconds(2));

        Assert.Equal(records.Select(r => r["messageId"]!.GetValue<string>()), Failures(result));
        foreach (var command in commands)
            Assert.Equal(0, await function.Payments(command.OrderId));
    }

    [Fact]
    public async Task Should_send_what_the_consumers_published_before_answering()
    {
        var commands = Enumerable.Range(0, 5).Select(_ => Payment()).ToList();
        var records = await function.ProduceRecords(commands);

        var result = await function.Runtime.InvokeAsync(PaymentsFunction.Event(records), Plenty);

        // Read the moment the answer arrived: nothing is left for a background delivery that a frozen environment would never run.
        Assert.Equal(0, await function.OutboxBacklog());
        Assert.Empty(Failures(result));
        await Eventually.Returns(() => Task.FromResult(commands.Count(c => function.Completed.Any(p => p.OrderId == c.OrderId))),
            n => n == commands.Count, "a PaymentCompleted for every order");
    }
}
