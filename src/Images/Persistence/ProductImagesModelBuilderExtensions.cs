using Microsoft.EntityFrameworkCore;
using Shop.Images.Domain;

namespace Shop.Images.Persistence;

public static class ProductImagesModelBuilderExtensions
{
    /// <summary>Adds the <c>images</c> table to the host's model, so image rows and their outbox messages share a transaction.</summary>
    public static ModelBuilder AddProductImages(this ModelBuilder modelBuilder, string? schema = null)
    {
        modelBuilder.Entity<ProductImage>(image =>
        {
            image.ToTable("images", schema);
            image.HasKey(x => x.Id);
            image.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            image.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
            image.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
            image.Property(x => x.FailureReason).HasColumnName("failure_reason").HasMaxLength(ProductImage.MaxFailureReasonLength);
            image.Property(x => x.Format).HasColumnName("format").HasMaxLength(16);
            image.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(64);
            image.Property(x => x.SizeBytes).HasColumnName("size_bytes");
            image.Property(x => x.Width).HasColumnName("width");
            image.Property(x => x.Height).HasColumnName("height");
            image.Property(x => x.OriginalBlobKey).HasColumnName("original_blob_key").HasMaxLength(256);
            image.Property(x => x.Thumbnails).HasColumnName("thumbnails").HasColumnType("jsonb");
            image.Property(x => x.Metadata).HasColumnName("metadata").HasColumnType("jsonb");
            image.Property(x => x.ThumbnailsDone).HasColumnName("thumbnails_done");
            image.Property(x => x.MetadataDone).HasColumnName("metadata_done");
            image.Property(x => x.CreatedAt).HasColumnName("created_at");
            image.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            image.Property(x => x.Version).HasColumnName("version").IsConcurrencyToken();
            image.HasIndex(x => x.Sku);
        });

        return modelBuilder;
    }
}
