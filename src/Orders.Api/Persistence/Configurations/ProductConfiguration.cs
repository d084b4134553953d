using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.Orders.Api.Domain;

namespace Shop.Orders.Api.Persistence.Configurations;

sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> product)
    {
        product.ToTable("products");
        product.HasKey(x => x.Sku);
        product.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
        product.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        product.Property(x => x.Price).HasColumnName("price").HasPrecision(18, 2);
        product.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
        product.HasData(Catalog.Products.Select(p => p.Product));
    }
}
