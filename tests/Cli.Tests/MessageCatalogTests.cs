using Shop.Cli.Messages;
using Shop.Contracts.Orders;

namespace Shop.Cli.Tests;

public sealed class When_the_contract_changes
{
    [Fact]
    public void Should_have_every_contract_message_in_the_catalog()
    {
        var catalogued = MessageCatalog.All.Select(m => m.Type).ToHashSet();
        // Types that only appear inside a message (an order's lines) are parts, not messages.
        var parts = MessageCatalog.All.SelectMany(m => m.Type.GetProperties())
            .Select(p => p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments()[0] : p.PropertyType)
            .ToHashSet();

        var missing = typeof(OrderSubmitted).Assembly.GetExportedTypes()
            .Where(t => t.Namespace?.StartsWith("Shop.Contracts", StringComparison.Ordinal) == true)
            .Where(t => !catalogued.Contains(t) && !parts.Contains(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Should_find_a_message_by_name_full_name_or_urn_ignoring_case()
    {
        Assert.Equal(typeof(OrderSubmitted), MessageCatalog.Find("ordersubmitted")?.Type);
        Assert.Equal(typeof(OrderSubmitted), MessageCatalog.Find("Shop.Contracts.Orders.OrderSubmitted")?.Type);
        Assert.Equal(typeof(OrderSubmitted), MessageCatalog.Find("urn:message:Shop.Contracts.Orders:OrderSubmitted")?.Type);
        Assert.Null(MessageCatalog.Find("OrderShipped"));
    }
}
