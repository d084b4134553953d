using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class StockItemConfiguration : IEntityTypeConfiguration<StockItem>
{
    public void Configure(EntityTypeBuilder<StockItem> stock)
    {
        stock.ToTable("stock", t => t.HasCheckConstraint("ck_stock_on_hand_not_negative", "on_hand >= 0"));
        stock.HasKey(x => x.Sku);
        stock.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
        stock.Property(x => x.OnHand).HasColumnName("on_hand");
        stock.HasData(Catalog.Products.Select(p => new StockItem { Sku = p.Product.Sku, OnHand = p.OnHand }));
    }
}
