using System.Text.Json;
using Shop.Cli.Tests.Infrastructure;
using Shop.Contracts.Payments;
using Shop.Testing;

namespace Shop.Cli.Tests;

public sealed class When_operating_error_queues_on_RabbitMq(RabbitMqBroker broker) : ErrorQueueTests(broker), IClassFixture<RabbitMqBroker>;

public sealed class When_operating_error_queues_on_AmazonSqs(AmazonSqsBroker broker) : ErrorQueueTests(broker), IClassFixture<AmazonSqsBroker>;

public abstract class ErrorQueueTests(Broker broker)
{
    const string Endpoint = ProbeService.PaymentEndpoint;
    readonly ShopCommandLine _shop = new(broker);

    [Fact]
    public async Task Should_list_show_replay_and_purge_what_faulted()
    {
        await using var probe = new ProbeService(broker);
        await probe.Start();
        Guid declined = Guid.NewGuid(), stillDeclined = Guid.NewGuid();
        probe.Failing.UnionWith([declined, stillDeclined]);
        var declinedId = await Send(declined);
        var stillDeclinedId = await Send(stillDeclined);

        // Listed without being taken: twice the same two messages, with the fault MassTransit recorded.
        var listed = await Eventually.Returns(() => ListMessages(), m => m.Count == 2, "two messages in the error queue");
        var first = listed.Single(m => m.GetProperty("messageId").GetString() == declinedId);
        Assert.Equal(typeof(InvalidOperationException).FullName, first.GetProperty("exceptionType").GetString());
        Assert.Contains($"card declined for order {declined}", first.GetProperty("exceptionMessage").GetString());
        Assert.EndsWith(":ProcessPayment", first.GetProperty("messageType").GetString());
        var firstFailure = listed.Single(m => m.GetProperty("messageId").GetString() == stillDeclinedId).GetProperty("lastFaultedAt").GetDateTimeOffset();
        Assert.Equal(2, (await ListMessages()).Count);

        var shown = await _shop.Run("errors", "show", declinedId, "--output", "json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        var show = JsonDocument.Parse(shown.Output).RootElement;
        Assert.Equal(declined, show.GetProperty("body").GetProperty("message").GetProperty("orderId").GetGuid());
        Assert.Contains("MT-Fault-StackTrace", show.GetProperty("headers").EnumerateObject().Select(h => h.Name));
        var unknown = await _shop.Run("errors", "show", Guid.NewGuid().ToString());
        Assert.True(unknown.ExitCode == ExitCodes.NotFound, unknown.ToString());

        var dry = await _shop.Run("errors", "replay", Endpoint, "--id", declinedId, "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"would replay {declinedId}", dry.Output);
        Assert.Equal(2, (await ListMessages()).Count);

        // Replayed once the cause is gone: consumed, with the replay count and without the fault.
        lock (probe.Failing)
            probe.Failing.Remove(declined);
        var replay = await _shop.Run("errors", "replay", Endpoint, "--id", declinedId);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        var consumed = Assert.Single(await probe.Consumed.WaitFor<Received<ProcessPayment>>(r => r.Message.OrderId == declined));
        Assert.Equal(Guid.Parse(declinedId), consumed.MessageId);
        Assert.Equal(1, consumed.TransportHeaders.Get<int>("Shop-Replay-Count"));
        Assert.Equal([stillDeclinedId], (await ListMessages()).Select(m => m.GetProperty("messageId").GetString()));

        // Replayed while the cause remains: back in the error queue, counted, its first failure kept.
        var again = await _shop.Run("errors", "replay", Endpoint, "--all");
        Assert.True(again.ExitCode == 0, again.ToString());
        var refaulted = await Eventually.Returns(() => ListMessages(), m => m.Count == 1 && m[0].GetProperty("replayCount").GetInt32() == 1,
            "the message faulted again after its replay");
        Assert.Equal(stillDeclinedId, refaulted[0].GetProperty("messageId").GetString());
        Assert.Equal(firstFailure, refaulted[0].GetProperty("firstFaultedAt").GetDateTimeOffset());
        Assert.True(firstFailure < refaulted[0].GetProperty("lastFaultedAt").GetDateTimeOffset());

        var notConfirmed = await _shop.Run("errors", "purge", Endpoint);
        Assert.True(notConfirmed.ExitCode == ExitCodes.Declined, notConfirmed.ToString());
        Assert.Single(await ListMessages());

        var purged = await _shop.Run("errors", "purge", Endpoint, "--yes");
        Assert.True(purged.ExitCode == 0, purged.ToString());
        Assert.Empty(await ListMessages());
    }

    [Fact]
    public async Task Should_fail_with_not_found_for_an_endpoint_without_an_error_queue()
    {
        var result = await _shop.RunProcess("errors", "replay", "no-such-endpoint", "--all");

        Assert.True(result.ExitCode == ExitCodes.NotFound, result.ToString());
        Assert.Contains("no-such-endpoint_error", result.Error);
    }

    async Task<string> Send(Guid orderId)
    {
        var result = await _shop.Run("send", "ProcessPayment", "--to", Endpoint, "--json",
            JsonSerializer.Serialize(new { orderId, amount = 5m, currency = "EUR", cardToken = "tok_visa" }));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Output.Trim();
    }

    async Task<List<JsonElement>> ListMessages()
    {
        var result = await _shop.Run("errors", "list", Endpoint, "--output", "json");
        if (result.ExitCode == ExitCodes.NotFound)
            return [];
        Assert.True(result.ExitCode == 0, result.ToString());
        var queue = Assert.Single(JsonDocument.Parse(result.Output).RootElement.EnumerateArray());
        return queue.GetProperty("messages").EnumerateArray().ToList();
    }
}
