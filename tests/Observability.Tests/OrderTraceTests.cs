using Shop.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Observability.Tests;

/// <summary>
/// One order, placed over HTTP with the three services of the order flow running as processes on the transport under
/// test (<c>SHOP_TEST_TRANSPORT</c>), shows in the real Aspire dashboard as one trace that crosses all of them.
/// </summary>
public sealed class When_an_order_is_followed_in_the_dashboard(IntegrationEnvironment environment, ITestOutputHelper output)
    : IClassFixture<IntegrationEnvironment>
{
    const string Api = "Shop.Orders.Api";
    const string Payments = "Shop.Payments.Worker";
    const string Notifications = "Shop.Notifications.Worker";

    [Fact]
    public async Task Should_show_one_trace_from_the_request_through_the_saga_payment_and_notification()
    {
        await using var dashboard = await AspireDashboard.Start();
        await using var shop = await ShopProcesses.Start(environment, dashboard);

        var id = await shop.PlaceOrder("tok_visa", "MUG-001");
        await Eventually.Returns(() => shop.OrderStatus(id), status => status is "Confirmed" or "Cancelled", $"order {id} to end",
            TimeSpan.FromMinutes(2));
        Assert.Equal("Confirmed", await shop.OrderStatus(id));

        var orderId = id.ToString("D");
        IReadOnlyList<DashboardSpan> trace = [];
        try
        {
            // The request's span is the root; everything the order caused hangs below it in the same trace.
            trace = await Eventually.Returns(async () =>
                {
                    var spans = await dashboard.Spans();
                    var root = spans.FirstOrDefault(s => s.Service == Api && s.Name.StartsWith("POST /orders", StringComparison.Ordinal)
                        && s.Attributes.GetValueOrDefault("shop.order.id") == orderId);
                    return root is null ? [] : spans.Where(s => s.TraceId == root.TraceId).ToList();
                },
                // Each service exports its spans in batches of its own, and a receive span ends after the spans inside it:
                // wait for every span the assertions below look for, not for any span of each service.
                spans => Complete(spans, orderId),
                "the order's trace to reach the saga, reserve-stock, Payments.Worker (a span naming the order) and Notifications.Worker",
                TimeSpan.FromMinutes(1));
        }
        finally
        {
            foreach (var span in trace)
                output.WriteLine($"{span.Service,-28} {span.Name}  {string.Join(", ", span.Attributes.Where(a => a.Key.StartsWith("messaging.") || a.Key.StartsWith("shop.")).Select(a => $"{a.Key}={a.Value}"))}");
            if (trace.Count == 0)
                output.WriteLine(string.Join("\n", (await dashboard.Spans()).Where(s => !s.Name.StartsWith("GET", StringComparison.Ordinal))
                    .Select(s => $"{s.TraceId} {s.ParentSpanId ?? "-",-16} {s} {string.Join(", ", s.Attributes.Select(a => $"{a.Key}={a.Value}"))}")) + "\n" + shop.Logs());
        }

        Assert.Contains(trace, s => s.Service == Api && s.Attributes.GetValueOrDefault("messaging.masstransit.consumer_type") == "OrderStateMachine");
        Assert.Contains(trace, s => s.Service == Api && s.Name.Contains("reserve-stock", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Service == Payments && s.Attributes.GetValueOrDefault("shop.order.id") == orderId);
        Assert.Contains(trace, s => s.Service == Notifications);

        // Every span that names the order is in this one trace.
        var all = await dashboard.Spans();
        var naming = all.Where(s => s.Attributes.GetValueOrDefault("shop.order.id") == orderId).ToList();
        Assert.Contains(naming, s => s.Service == Payments);
        Assert.All(naming, s => Assert.Equal(trace[0].TraceId, s.TraceId));
    }

    static bool Complete(IReadOnlyList<DashboardSpan> spans, string orderId) =>
        spans.Any(s => s.Service == Api && s.Attributes.GetValueOrDefault("messaging.masstransit.consumer_type") == "OrderStateMachine")
        && spans.Any(s => s.Service == Api && s.Name.Contains("reserve-stock", StringComparison.Ordinal))
        && spans.Any(s => s.Service == Payments && s.Attributes.GetValueOrDefault("shop.order.id") == orderId)
        && spans.Any(s => s.Service == Notifications);
}
