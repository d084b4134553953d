using Shop.ProductImages.Persistence;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Orders.Api.Domain;
using Shop.Orders.Api.StateMachines;

namespace Shop.Orders.Api.Persistence;

/// <summary>Orders, the catalog, stock and the saga, with the durable messaging tables so all of them share transactions.</summary>
public class OrdersDbContext : DbContext
{
    public OrdersDbContext(DbContextOptions<OrdersDbContext> options) : base(options)
    {
    }

    /// <summary>For <see cref="OrdersSqliteMigrations"/>, which shares this model.</summary>
    protected OrdersDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderTimelineEntry> OrderTimeline => Set<OrderTimelineEntry>();
    public DbSet<IdempotencyKey> IdempotencyKeys => Set<IdempotencyKey>();
    public DbSet<OrderCardToken> OrderCardTokens => Set<OrderCardToken>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<StockItem> Stock => Set<StockItem>();
    public DbSet<StockReservation> StockReservations => Set<StockReservation>();
    public DbSet<OrderState> OrderStates => Set<OrderState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OrdersDbContext).Assembly);
        modelBuilder.AddProductImages();
    }
}
