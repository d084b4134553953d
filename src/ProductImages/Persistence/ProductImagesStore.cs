using Microsoft.EntityFrameworkCore;
using Shop.ProductImages.Domain;
using Shop.ProductImages.StateMachines;

namespace Shop.ProductImages.Persistence;

/// <summary>
/// The host's DbContext, seen by the module's consumers, which cannot name its type. Scoped: it is the same
/// instance the durable store runs the consumer's transaction on.
/// </summary>
public sealed class ProductImagesStore(DbContext db)
{
    public DbContext Db => db;

    public DbSet<ProductImage> Images => db.Set<ProductImage>();

    public DbSet<ImageProcessingState> Processing => db.Set<ImageProcessingState>();
}
