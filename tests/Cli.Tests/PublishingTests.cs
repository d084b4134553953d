using System.Text.Json;
using Shop.Cli.Tests.Infrastructure;
using Shop.Contracts.Orders;
using Shop.Contracts.Payments;
using Shop.Testing;

namespace Shop.Cli.Tests;

public sealed class When_publishing_and_sending_on_RabbitMq(RabbitMqBroker broker) : PublishingTests(broker), IClassFixture<RabbitMqBroker>;

public sealed class When_publishing_and_sending_on_AmazonSqs(AmazonSqsBroker broker) : PublishingTests(broker), IClassFixture<AmazonSqsBroker>;

public abstract class PublishingTests(Broker broker)
{
    readonly ShopCommandLine _shop = new(broker);

    static string OrderJson(Guid orderId) => JsonSerializer.Serialize(new
    {
        orderId,
        customerId = Guid.NewGuid(),
        email = "ada@example.com",
        items = new[] { new { sku = "MUG-001", quantity = 2, unitPrice = 9.5m } },
        total = 19m,
        currency = "EUR",
        submittedAt = DateTime.UtcNow,
    });

    [Fact]
    public async Task Should_deliver_a_published_event_to_its_subscriber_and_print_its_message_id()
    {
        await using var probe = new ProbeService(broker);
        await probe.Start();
        var orderId = Guid.NewGuid();
        var correlationId = Guid.NewGuid();

        var result = await _shop.Run("publish", "OrderSubmitted", "--json", OrderJson(orderId), "--correlation-id", correlationId.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var messageId = Guid.Parse(result.Output.Trim());
        var received = Assert.Single(await probe.Consumed.WaitFor<Received<OrderSubmitted>>(r => r.Message.OrderId == orderId));
        Assert.Equal(messageId, received.MessageId);
        Assert.Equal(correlationId, received.CorrelationId);
        Assert.Equal("MUG-001", Assert.Single(received.Message.Items).Sku);
    }

    [Fact]
    public async Task Should_send_a_command_read_from_standard_input_count_times_each_with_its_own_id()
    {
        await using var probe = new ProbeService(broker);
        await probe.Start();
        var orderId = Guid.NewGuid();
        var json = JsonSerializer.Serialize(new { orderId, amount = 12.5m, currency = "EUR", cardToken = "tok_visa" });

        var result = await _shop.RunWithInput(json, "send", "ProcessPayment", "-", "--to", ProbeService.PaymentEndpoint, "--count", "3",
            "--rate", "50", "--output", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var printed = JsonDocument.Parse(result.Output).RootElement.EnumerateArray().Select(m => m.GetProperty("messageId").GetGuid()).ToList();
        Assert.Equal(3, printed.Distinct().Count());
        var received = await probe.Consumed.WaitFor<Received<ProcessPayment>>(r => r.Message.OrderId == orderId, count: 3);
        Assert.Equal(printed.Order(), received.Select(r => r.MessageId!.Value).Order());
        Assert.All(received, r => Assert.Equal(12.5m, r.Message.Amount));
    }

    [Fact]
    public async Task Should_reject_json_that_breaks_the_contract_naming_the_field_and_send_nothing()
    {
        await using var probe = new ProbeService(broker);
        await probe.Start();
        var rejectedOrder = Guid.NewGuid();

        // The built tool as a script would run it: its parsing, exit code and messages.
        var mistyped = await _shop.RunProcess("send", "ProcessPayment", "--to", ProbeService.PaymentEndpoint, "--json",
            JsonSerializer.Serialize(new { orderId = rejectedOrder, amount = "lots", currency = "EUR", cardToken = "tok_visa" }));
        var missing = await _shop.RunProcess("send", "ProcessPayment", "--to", ProbeService.PaymentEndpoint, "--json",
            JsonSerializer.Serialize(new { orderId = rejectedOrder, amount = 1m }));
        var unknownType = await _shop.RunProcess("publish", "ChargeEveryone", "--json", "{}");
        var badOption = await _shop.RunProcess("publish", "OrderSubmitted", "--jsno", "{}");

        Assert.True(mistyped.ExitCode == ExitCodes.Usage, mistyped.ToString());
        Assert.Contains("$.amount", mistyped.Error);
        Assert.Contains("expected a number", mistyped.Error);
        Assert.Contains("nothing was sent", mistyped.Error);
        Assert.Equal("", mistyped.Output);
        Assert.True(missing.ExitCode == ExitCodes.Usage, missing.ToString());
        Assert.Contains("missing required field(s) currency, cardToken", missing.Error);
        Assert.True(unknownType.ExitCode == ExitCodes.Usage, unknownType.ToString());
        Assert.Contains("'ChargeEveryone' is not a message type", unknownType.Error);
        Assert.True(badOption.ExitCode == ExitCodes.Usage, badOption.ToString());

        // A valid message sent after the rejected ones arrives; had any of them been sent, it would have arrived first.
        var acceptedOrder = Guid.NewGuid();
        var accepted = await _shop.RunProcess("send", "ProcessPayment", "--to", ProbeService.PaymentEndpoint, "--json",
            JsonSerializer.Serialize(new { orderId = acceptedOrder, amount = 1m, currency = "EUR", cardToken = "tok_visa" }));
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        await probe.Consumed.WaitFor<Received<ProcessPayment>>(r => r.Message.OrderId == acceptedOrder);
        Assert.Empty(probe.Consumed.All<Received<ProcessPayment>>(r => r.Message.OrderId == rejectedOrder));
    }

    [Fact]
    public async Task Should_list_every_message_with_its_kind_destination_and_schema_as_json()
    {
        var result = await _shop.RunProcess("messages", "list", "--output", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var messages = JsonDocument.Parse(result.Output).RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        var payment = messages["ProcessPayment"];
        Assert.Equal("command", payment.GetProperty("kind").GetString());
        Assert.True(payment.GetProperty("internal").GetBoolean());
        Assert.Contains("process-payment", payment.GetProperty("destination").GetString());
        Assert.Equal(["orderId", "amount", "currency", "cardToken"],
            payment.GetProperty("schema").GetProperty("required").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("event", messages["OrderSubmitted"].GetProperty("kind").GetString());
        Assert.Contains("OrderSubmitted", messages["OrderSubmitted"].GetProperty("destination").GetString());
    }
}
