using Microsoft.EntityFrameworkCore;
using Shop.ProductImages.Persistence;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>A host's database as the product-image module expects it: the host's tables, messaging and <c>images</c>.</summary>
public sealed class ApiDbContext(DbContextOptions<ApiDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();
        modelBuilder.AddProductImages();
    }
}
