using Shop.Orders.Api.Domain;

namespace Shop.Orders.Tests.Domain;

public sealed class When_lines_are_added_to_an_order
{
    static readonly Product Mug = new() { Sku = "MUG-001", Name = "Ceramic mug", Price = 9.90m, Currency = "EUR" };
    static readonly Product Tee = new() { Sku = "TEE-001", Name = "Cotton T-shirt", Price = 19.90m, Currency = "EUR" };

    static Order NewOrder() => Order.Submit(Guid.NewGuid(), Guid.NewGuid(), "ann@example.com", DateTime.UtcNow);

    [Fact]
    public void Should_total_them_at_the_products_prices_in_their_currency()
    {
        var order = NewOrder();

        order.AddLine(Mug, 2);
        order.AddLine(Tee, 1);

        Assert.Equal((39.70m, "EUR", 2), (order.Total, order.Currency, order.Items.Count));
        Assert.Equal(("Ceramic mug", 2, 9.90m), order.Items.Select(i => (i.Name, i.Quantity, i.UnitPrice)).First());
    }

    [Fact]
    public void Should_start_as_submitted_with_one_timeline_entry()
    {
        var order = NewOrder();

        Assert.Equal(OrderStatus.Submitted, order.Status);
        Assert.Equal(OrderStatus.Submitted, Assert.Single(order.Timeline).Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Should_refuse_a_quantity_below_one(int quantity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NewOrder().AddLine(Mug, quantity));
    }

    [Fact]
    public void Should_refuse_a_second_line_for_the_same_sku()
    {
        var order = NewOrder();
        order.AddLine(Mug, 1);

        Assert.Throws<InvalidOperationException>(() => order.AddLine(new Product { Sku = "mug-001", Price = 9.90m, Currency = "EUR" }, 1));
        Assert.Equal(9.90m, order.Total);
    }

    [Fact]
    public void Should_refuse_a_line_in_another_currency()
    {
        var order = NewOrder();
        order.AddLine(Mug, 1);

        Assert.Throws<InvalidOperationException>(() => order.AddLine(new Product { Sku = "CAP-001", Price = 14.50m, Currency = "USD" }, 1));
    }

    [Fact]
    public void Should_keep_a_cancellation_reason_that_a_later_status_does_not_repeat()
    {
        var order = NewOrder();

        order.Record(OrderStatus.Cancelled, "payment failed", DateTime.UtcNow);
        order.Record(OrderStatus.Cancelled, null, DateTime.UtcNow);

        Assert.Equal((OrderStatus.Cancelled, "payment failed", 3), (order.Status, order.CancellationReason, order.Timeline.Count));
    }
}
