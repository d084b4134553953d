using Microsoft.EntityFrameworkCore;
using Shop.ProductImages.Domain;
using Shop.ProductImages.StateMachines;

namespace Shop.ProductImages.Persistence;

public static class ProductImagesModelBuilderExtensions
{
    /// <summary>
    /// Adds the <c>images</c> table and the image saga's <c>image_processing_state</c> to the host's model, so image rows,
    /// saga state and their outbox messages share a transaction.
    /// </summary>
    public static ModelBuilder AddProductImages(this ModelBuilder modelBuilder, string? schema = null)
    {
        modelBuilder.Entity<ProductImage>(image =>
        {
            image.ToTable("images", schema);
            image.HasKey(x => x.Id);
            image.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
            image.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
            image.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(32);
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

        modelBuilder.Entity<ImageProcessingState>(state =>
        {
            state.ToTable("image_processing_state", schema);
            state.HasKey(x => x.CorrelationId);
            state.Property(x => x.CorrelationId).HasColumnName("correlation_id").ValueGeneratedNever();
            state.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(32);
            state.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
            state.Property(x => x.BlobKey).HasColumnName("blob_key").HasMaxLength(256);
            state.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(64);
            state.Property(x => x.Format).HasColumnName("format").HasMaxLength(16);
            state.Property(x => x.SizeBytes).HasColumnName("size_bytes");
            state.Property(x => x.ThumbnailsState).HasColumnName("thumbnails_state").HasMaxLength(16);
            state.Property(x => x.ThumbnailsReason).HasColumnName("thumbnails_reason").HasMaxLength(BranchState.MaxReasonLength);
            state.Property(x => x.ThumbnailsAttempt).HasColumnName("thumbnails_attempt");
            state.Property(x => x.ThumbnailsTimeoutTokenId).HasColumnName("thumbnails_timeout_token_id");
            state.Property(x => x.MetadataState).HasColumnName("metadata_state").HasMaxLength(16);
            state.Property(x => x.MetadataReason).HasColumnName("metadata_reason").HasMaxLength(BranchState.MaxReasonLength);
            state.Property(x => x.MetadataAttempt).HasColumnName("metadata_attempt");
            state.Property(x => x.MetadataTimeoutTokenId).HasColumnName("metadata_timeout_token_id");
            state.Property(x => x.AnsweredBranches).HasColumnName("answered_branches");
            state.Property(x => x.Run).HasColumnName("run");
            state.Property(x => x.StartedAt).HasColumnName("started_at");
            state.Property(x => x.CompletedAt).HasColumnName("completed_at");
            state.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            state.HasIndex(x => x.Sku);
        });

        return modelBuilder;
    }
}
