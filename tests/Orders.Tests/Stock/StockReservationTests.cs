using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shop.Contracts.Stock;
using Shop.Orders.Api.Domain;
using Shop.Orders.Tests.Infrastructure;
using Shop.Testing;

namespace Shop.Orders.Tests.Stock;

public sealed class When_stock_is_reserved_and_released(OrdersServiceFixture service) : IClassFixture<OrdersServiceFixture>
{
    [Fact]
    public async Task Should_never_oversell_under_100_concurrent_orders_for_10_units()
    {
        var sku = await NewSku(onHand: 10);
        var orders = Enumerable.Range(0, 100).Select(_ => NewId.NextGuid()).ToList();

        var endpoint = await Endpoint("reserve-stock");
        await Task.WhenAll(orders.Select(id => endpoint.Send(new ReserveStock(id, [new StockLine(sku, 1)]))));

        var observed = service.Payments.Observed;
        await Eventually.Returns(() => Task.FromResult(Answered(observed, orders)), n => n == 100, "an answer to every reservation",
            TimeSpan.FromSeconds(90));
        Assert.Equal(10, observed.All<StockReserved>(m => orders.Contains(m.OrderId)).Count);
        Assert.Equal(90, observed.All<StockUnavailable>(m => orders.Contains(m.OrderId) && m.Reason == $"insufficient stock for {sku}").Count);
        Assert.Equal(0, await OnHand(sku));
        Assert.Equal(10, await service.InScope(db => db.StockReservations.CountAsync(r => r.Sku == sku)));
    }

    [Fact]
    public async Task Should_take_nothing_when_one_line_is_short()
    {
        var plenty = await NewSku(onHand: 5);
        var scarce = await NewSku(onHand: 1);
        var orderId = NewId.NextGuid();

        await (await Endpoint("reserve-stock")).Send(new ReserveStock(orderId, [new StockLine(plenty, 2), new StockLine(scarce, 2)]));

        var unavailable = await service.Payments.Observed.WaitFor<StockUnavailable>(m => m.OrderId == orderId);
        Assert.Equal($"insufficient stock for {scarce}", unavailable.Single().Reason);
        Assert.Equal(5, await OnHand(plenty));
        Assert.Equal(1, await OnHand(scarce));
        Assert.Equal(0, await service.InScope(db => db.StockReservations.CountAsync(r => r.OrderId == orderId)));
    }

    [Fact]
    public async Task Should_restore_the_stock_once_when_released_twice()
    {
        var sku = await NewSku(onHand: 10);
        var orderId = NewId.NextGuid();
        await (await Endpoint("reserve-stock")).Send(new ReserveStock(orderId, [new StockLine(sku, 3)]));
        await service.Payments.Observed.WaitFor<StockReserved>(m => m.OrderId == orderId);
        Assert.Equal(7, await OnHand(sku));

        var release = await Endpoint("release-stock");
        await Task.WhenAll(release.Send(new ReleaseStock(orderId)), release.Send(new ReleaseStock(orderId)));

        await service.Payments.Observed.WaitFor<StockReleased>(m => m.OrderId == orderId, count: 2);
        Assert.Equal(10, await OnHand(sku));
        Assert.NotNull(await service.InScope(db => db.StockReservations.Where(r => r.OrderId == orderId).Select(r => r.ReleasedAt).SingleAsync()));
    }

    [Fact]
    public async Task Should_take_once_when_one_order_is_reserved_twice()
    {
        var sku = await NewSku(onHand: 10);
        var orderId = NewId.NextGuid();

        var reserve = await Endpoint("reserve-stock");
        await Task.WhenAll(reserve.Send(new ReserveStock(orderId, [new StockLine(sku, 4)])),
            reserve.Send(new ReserveStock(orderId, [new StockLine(sku, 4)])));

        await service.Payments.Observed.WaitFor<StockReserved>(m => m.OrderId == orderId, count: 2);
        Assert.Equal(6, await OnHand(sku));
        Assert.Equal(1, await service.InScope(db => db.StockReservations.CountAsync(r => r.OrderId == orderId)));
    }

    // The first try reads the stock without a lock and takes it in its commit's batch; these hold the stock row in a
    // transaction of their own until that batch waits on it, so the read and the take see different stock.
    [Fact]
    public async Task Should_answer_unavailable_when_the_stock_is_taken_between_its_read_and_its_commit()
    {
        var sku = await NewSku(onHand: 5);
        var orderId = await ReserveWhileTaking(sku, 5, new StockLine(sku, 3));

        var unavailable = await service.Payments.Observed.WaitFor<StockUnavailable>(m => m.OrderId == orderId);
        Assert.Equal($"insufficient stock for {sku}", unavailable.Single().Reason);
        await service.WaitUntilQuiet();
        Assert.Empty(service.Payments.Observed.All<StockReserved>(m => m.OrderId == orderId));
        Assert.Single(service.Payments.Observed.All<StockUnavailable>(m => m.OrderId == orderId));
        Assert.Equal(0, await OnHand(sku));
        Assert.Equal(0, await service.InScope(db => db.StockReservations.CountAsync(r => r.OrderId == orderId)));
    }

    [Fact]
    public async Task Should_give_back_every_line_when_a_later_line_is_taken_before_the_commit()
    {
        var first = await NewSku(onHand: 5);
        var second = await NewSku(onHand: 5);
        var (earlier, later) = string.CompareOrdinal(first, second) < 0 ? (first, second) : (second, first);
        var orderId = await ReserveWhileTaking(later, 4, new StockLine(earlier, 2), new StockLine(later, 3));

        var unavailable = await service.Payments.Observed.WaitFor<StockUnavailable>(m => m.OrderId == orderId);
        Assert.Equal($"insufficient stock for {later}", unavailable.Single().Reason);
        await service.WaitUntilQuiet();
        Assert.Equal(5, await OnHand(earlier));
        Assert.Equal(1, await OnHand(later));
        Assert.Equal(0, await service.InScope(db => db.StockReservations.CountAsync(r => r.OrderId == orderId)));
    }

    [Fact]
    public async Task Should_reserve_when_what_was_taken_meanwhile_leaves_enough()
    {
        var sku = await NewSku(onHand: 5);
        var orderId = await ReserveWhileTaking(sku, 1, new StockLine(sku, 3));

        await service.Payments.Observed.WaitFor<StockReserved>(m => m.OrderId == orderId);
        await service.WaitUntilQuiet();
        Assert.Empty(service.Payments.Observed.All<StockUnavailable>(m => m.OrderId == orderId));
        Assert.Equal(1, await OnHand(sku));
        Assert.Equal(3, await service.InScope(db => db.StockReservations.Where(r => r.OrderId == orderId).SumAsync(r => r.Quantity)));
    }

    /// <summary>
    /// Takes <paramref name="units"/> of <paramref name="sku"/> in a transaction of its own, sends a reservation of
    /// <paramref name="lines"/>, and commits once the reservation's batch waits on that stock row; returns the order.
    /// </summary>
    async Task<Guid> ReserveWhileTaking(string sku, int units, params StockLine[] lines)
    {
        var orderId = NewId.NextGuid();
        await using var rival = await TakeInOpenTransaction(sku, units);
        await (await Endpoint("reserve-stock")).Send(new ReserveStock(orderId, lines));
        await CommitWaitsOnStock();
        await rival.CommitAsync();
        return orderId;
    }

    async Task<Rival> TakeInOpenTransaction(string sku, int units)
    {
        var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var take = new NpgsqlCommand("UPDATE stock SET on_hand = on_hand - @units WHERE sku = @sku", connection, transaction);
        take.Parameters.AddWithValue("units", units);
        take.Parameters.AddWithValue("sku", sku);
        Assert.Equal(1, await take.ExecuteNonQueryAsync());
        return new Rival(connection, transaction);
    }

    /// <summary>Another writer's open transaction; disposed uncommitted, it rolls back.</summary>
    sealed class Rival(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    Task CommitWaitsOnStock() => Eventually.Returns(async () =>
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%take_stock%'",
            connection);
        return (long)(await waiting.ExecuteScalarAsync())!;
    }, n => n == 1, "the reservation's commit waiting on the stock row");

    static int Answered(MessageLog observed, List<Guid> orders) =>
        observed.All<StockReserved>(m => orders.Contains(m.OrderId)).Count + observed.All<StockUnavailable>(m => orders.Contains(m.OrderId)).Count;

    Task<ISendEndpoint> Endpoint(string queue) => service.Payments.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));

    async Task<string> NewSku(int onHand)
    {
        var sku = $"TEST-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        await using var db = service.CreateDbContext();
        db.Stock.Add(new StockItem { Sku = sku, OnHand = onHand });
        await db.SaveChangesAsync();
        return sku;
    }

    Task<int> OnHand(string sku) => service.InScope(db => db.Stock.Where(s => s.Sku == sku).Select(s => s.OnHand).SingleAsync());
}
