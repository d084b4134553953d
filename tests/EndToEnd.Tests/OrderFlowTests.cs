using System.Net.Http.Json;
using Shop.Orders.Api.Persistence;
using Shop.Cluster;
using Shop.Testing;
using Xunit;

namespace Shop.EndToEnd.Tests;

public sealed class When_many_customers_order_at_once(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    static readonly string[] Skus = ["MUG-001", "TEE-001", "PEN-001", "STICK-001", "LAMP-001"];

    [Fact]
    public async Task Should_bring_every_order_to_the_right_end_with_consistent_stock_ledger_and_notifications()
    {
        await using var cluster = await ShopCluster.Start(environment);
        string[] cards = ["tok_visa", "tok_declined", "tok_flaky", "tok_insufficient_funds", "tok_visa"];

        var placed = new List<(Guid Id, string Card, string Sku)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var card = cards[i % cards.Length];
            var sku = Skus[i % Skus.Length];
            var id = await cluster.PlaceOrder(card, (sku, 1));
            lock (placed)
                placed.Add((id, card, sku));
        });

        var outcomes = await OrderFlowAssertions.WaitUntilAllTerminal(cluster, placed.Select(p => p.Id).ToList(), TimeSpan.FromMinutes(4));

        foreach (var (id, card, sku) in placed)
        {
            var (status, reason) = outcomes[id];
            var outOfStock = reason?.StartsWith("stock unavailable") == true;
            switch (card)
            {
                case "tok_visa" or "tok_flaky":
                    Assert.True(status == "Confirmed" || (outOfStock && sku == "LAMP-001"), $"{card} order {id} ({sku}) ended {status}: {reason}");
                    break;
                case "tok_declined":
                    Assert.True(status == "Cancelled" && (reason!.Contains("declined") || (outOfStock && sku == "LAMP-001")),
                        $"{card} order {id} ended {status}: {reason}");
                    break;
                case "tok_insufficient_funds":
                    Assert.True(status == "Cancelled" && (reason!.Contains("insufficient") || (outOfStock && sku == "LAMP-001")),
                        $"{card} order {id} ended {status}: {reason}");
                    break;
            }
        }

        await OrderFlowAssertions.StockMatchesConfirmedOrders(cluster);
        await OrderFlowAssertions.OneChargePerConfirmedOrderAndNoneStandingForCancelled(cluster, outcomes);
        await OrderFlowAssertions.OneNotificationPerTerminalOrder(cluster, outcomes);

        // The API tells the same story as the database, timeline included.
        var sample = placed.First(p => outcomes[p.Id].Status == "Confirmed").Id;
        var order = await cluster.Api.GetFromJsonAsync<OrderView>($"/orders/{sample}");
        Assert.Equal("Confirmed", order!.Status);
        Assert.Equal(["Submitted", "StockReserved", "PaymentPending", "Confirmed"], order.Timeline.Select(t => t.Status).ToArray());
    }

    public sealed record OrderView(Guid Id, string Status, string? CancellationReason, IReadOnlyList<TimelineView> Timeline);
    public sealed record TimelineView(string Status, string? Reason, DateTime At);
}

public sealed class When_the_payments_service_is_down(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    [Fact]
    public async Task Should_finish_every_order_once_it_is_back()
    {
        await using var cluster = await ShopCluster.Start(environment);
        await cluster.StopPayments();

        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++)
            ids.Add(await cluster.PlaceOrder(i % 5 == 4 ? "tok_declined" : "tok_visa", ("PEN-001", 1)));

        // Nothing can finish without payments: the orders wait for it, reserved and pending.
        await Eventually.Returns(() => OrderFlowAssertions.CountByStatus(cluster, "PaymentPending"), n => n == 50,
            "all 50 orders to wait for payment", TimeSpan.FromSeconds(60));
        Assert.Equal(0, await OrderFlowAssertions.CountByStatus(cluster, "Confirmed"));

        await cluster.StartPayments();

        var outcomes = await OrderFlowAssertions.WaitUntilAllTerminal(cluster, ids, TimeSpan.FromMinutes(2));
        Assert.Equal(40, outcomes.Values.Count(o => o.Status == "Confirmed"));
        Assert.Equal(10, outcomes.Values.Count(o => o.Status == "Cancelled" && o.Reason!.Contains("declined")));
        await OrderFlowAssertions.StockMatchesConfirmedOrders(cluster);
        await OrderFlowAssertions.OneChargePerConfirmedOrderAndNoneStandingForCancelled(cluster, outcomes);
        await OrderFlowAssertions.OneNotificationPerTerminalOrder(cluster, outcomes);
    }
}

public sealed class When_every_message_of_the_flow_arrives_twice(IntegrationEnvironment environment) : IClassFixture<IntegrationEnvironment>
{
    /// <summary>
    /// Every outbox row written in a service's database gets a twin: same message, same MessageId, its own outbox unit.
    /// A scheduled twin keeps the due time and schedule token, so timeouts stay timeouts; an immediate one is due at
    /// once (the writer's lease covers only the unit it sends itself), so the delivery service sends it. Every queue
    /// of the flow therefore receives every message twice, as it would from a broker redelivering after a lost
    /// acknowledgement.
    /// </summary>
    const string DuplicateEveryOutboxMessage = """
        CREATE OR REPLACE FUNCTION test_duplicate_outbox_message() RETURNS trigger AS $$
        DECLARE twin uuid := gen_random_uuid();
        BEGIN
            IF pg_trigger_depth() > 1 THEN RETURN NEW; END IF;
            NEW.outbox_id := twin;
            IF NEW.schedule_token_id IS NULL THEN NEW.due_time := NEW.created; END IF;
            INSERT INTO outbox_message SELECT (NEW).*;
            RETURN NULL;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER test_duplicate_outbox_message AFTER INSERT ON outbox_message
            FOR EACH ROW EXECUTE FUNCTION test_duplicate_outbox_message();
        """;

    [Fact]
    public async Task Should_have_no_double_effect_anywhere()
    {
        await using var cluster = await ShopCluster.Start(environment, async connectionString =>
            await ShopCluster.Query(connectionString, DuplicateEveryOutboxMessage, _ => 0));

        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
            ids.Add(await cluster.PlaceOrder(i % 4 == 3 ? "tok_declined" : "tok_visa", ("MUG-001", 2), ("PEN-001", 1)));

        var outcomes = await OrderFlowAssertions.WaitUntilAllTerminal(cluster, ids, TimeSpan.FromMinutes(2));
        Assert.Equal(15, outcomes.Values.Count(o => o.Status == "Confirmed"));
        Assert.Equal(5, outcomes.Values.Count(o => o.Status == "Cancelled"));
        await cluster.WaitUntilQuiet(); // the last twins arrived and were recognised

        // The twins really arrived: every service's inbox saw second deliveries.
        foreach (var database in new[] { cluster.OrdersDatabase, cluster.PaymentsDatabase, cluster.NotificationsDatabase })
        {
            var seenTwice = await ShopCluster.Query(database, "SELECT count(*) FROM inbox_state WHERE receive_count >= 2", r => r.GetInt64(0));
            Assert.True(seenTwice.Single() > 0, $"no duplicate delivery reached {database}");
        }

        await OrderFlowAssertions.StockMatchesConfirmedOrders(cluster);
        await OrderFlowAssertions.OneChargePerConfirmedOrderAndNoneStandingForCancelled(cluster, outcomes);
        await OrderFlowAssertions.OneNotificationPerTerminalOrder(cluster, outcomes);
        var timelineDuplicates = await ShopCluster.Query(cluster.OrdersDatabase,
            "SELECT count(*) FROM (SELECT order_id, status FROM order_timeline GROUP BY order_id, status HAVING count(*) > 1) d", r => r.GetInt64(0));
        Assert.Equal(0, timelineDuplicates.Single());
    }
}

static class OrderFlowAssertions
{
    public static async Task<Dictionary<Guid, (string Status, string? Reason)>> WaitUntilAllTerminal(ShopCluster cluster, IReadOnlyList<Guid> ids,
        TimeSpan timeout)
    {
        var byId = await Eventually.Returns(async () =>
            {
                var rows = await ShopCluster.Query(cluster.OrdersDatabase, "SELECT id, status, cancellation_reason FROM orders",
                    r => (Id: r.GetGuid(0), Status: r.GetString(1), Reason: r.IsDBNull(2) ? null : r.GetString(2)));
                return rows.ToDictionary(r => r.Id, r => (r.Status, r.Reason));
            }, rows => Open(rows).Count == 0, "every order to be confirmed or cancelled", timeout, rows =>
            {
                var open = Open(rows);
                var stuck = string.Join(", ", open.Take(5).Select(id => $"{id}: {(rows.TryGetValue(id, out var o) ? o.Status : "missing")}"));
                return $"{open.Count} of {ids.Count} orders did not finish, e.g. {stuck}";
            });
        return ids.ToDictionary(id => id, id => byId[id]);

        List<Guid> Open(Dictionary<Guid, (string Status, string? Reason)> rows) =>
            ids.Where(id => !rows.TryGetValue(id, out var o) || o.Status is not ("Confirmed" or "Cancelled")).ToList();
    }

    public static async Task<int> CountByStatus(ShopCluster cluster, string status) =>
        (int)(await ShopCluster.Query(cluster.OrdersDatabase, $"SELECT count(*) FROM orders WHERE status = '{status}'", r => r.GetInt64(0))).Single();

    /// <summary>
    /// Stock taken = lines of confirmed orders, per sku; cancelled orders gave back what they had. Releases follow a
    /// cancellation asynchronously, so this waits for the books to balance before it judges them.
    /// </summary>
    public static async Task StockMatchesConfirmedOrders(ShopCluster cluster)
    {
        await Eventually.Returns(async () =>
            {
                var onHand = (await ShopCluster.Query(cluster.OrdersDatabase, "SELECT sku, on_hand FROM stock", r => (r.GetString(0), r.GetInt32(1))))
                    .ToDictionary(x => x.Item1, x => x.Item2);
                var sold = (await ShopCluster.Query(cluster.OrdersDatabase,
                        "SELECT l.sku, sum(l.quantity)::int FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.status = 'Confirmed' GROUP BY l.sku",
                        r => (r.GetString(0), r.GetInt32(1))))
                    .ToDictionary(x => x.Item1, x => x.Item2);
                return (OnHand: onHand, Sold: sold);
            }, books => Catalog.Products.All(p => p.OnHand - books.Sold.GetValueOrDefault(p.Product.Sku) == books.OnHand[p.Product.Sku]),
            "the stock to balance with the confirmed orders", TimeSpan.FromSeconds(30), books => string.Join("; ", Catalog.Products.Select(p =>
                $"{p.Product.Sku}: started with {p.OnHand}, {books.Sold.GetValueOrDefault(p.Product.Sku)} sold, {books.OnHand[p.Product.Sku]} on hand")));
    }

    public static async Task OneChargePerConfirmedOrderAndNoneStandingForCancelled(ShopCluster cluster,
        IReadOnlyDictionary<Guid, (string Status, string? Reason)> outcomes)
    {
        var charges = await ShopCluster.Query(cluster.PaymentsDatabase, "SELECT order_id, status FROM payments", r => (r.GetGuid(0), r.GetString(1)));
        var refunded = (await ShopCluster.Query(cluster.PaymentsDatabase, "SELECT order_id FROM refunds", r => r.GetGuid(0))).ToHashSet();
        var completed = charges.Where(c => c.Item2 == "Completed").GroupBy(c => c.Item1).ToDictionary(g => g.Key, g => g.Count());

        foreach (var (id, (status, _)) in outcomes)
        {
            if (status == "Confirmed")
                Assert.True(completed.GetValueOrDefault(id) == 1, $"confirmed order {id} has {completed.GetValueOrDefault(id)} completed charges");
            else
                Assert.True(!completed.ContainsKey(id) || refunded.Contains(id), $"cancelled order {id} has a charge standing");
        }
    }

    public static async Task OneNotificationPerTerminalOrder(ShopCluster cluster, IReadOnlyDictionary<Guid, (string Status, string? Reason)> outcomes)
    {
        var byOrder = await Eventually.Returns(async () =>
            {
                var sent = await ShopCluster.Query(cluster.NotificationsDatabase,
                    "SELECT order_id, kind, count(*)::int FROM notifications GROUP BY order_id, kind", r => (r.GetGuid(0), r.GetString(1), r.GetInt32(2)));
                return sent.GroupBy(s => s.Item1).ToDictionary(g => g.Key, g => g.ToList());
            }, byOrder => outcomes.Keys.All(byOrder.ContainsKey), "a notification for every order", TimeSpan.FromSeconds(30),
            byOrder => $"{outcomes.Keys.Count(id => !byOrder.ContainsKey(id))} of {outcomes.Count} orders without one");

        foreach (var (id, (status, _)) in outcomes)
        {
            var expected = status == "Confirmed" ? "order-confirmed" : "order-cancelled";
            Assert.Equal([(id, expected, 1)], byOrder[id]);
        }
    }
}
