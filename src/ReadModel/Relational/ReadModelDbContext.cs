using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Relational;

/// <summary>
/// The relational read model: one row per document, lists as JSON columns. The model differs by provider (PostgreSQL
/// adds a full-text index), so each provider has its own context type (<see cref="PostgresReadModelDbContext"/>,
/// <see cref="SqliteReadModelDbContext"/>) with its own migrations.
/// </summary>
public abstract class ReadModelDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OrderSummary> Orders => Set<OrderSummary>();
    public DbSet<ProductImageDocument> Images => Set<ProductImageDocument>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OrderSummary>(order =>
        {
            order.ToTable("order_summaries");
            order.HasKey(x => x.OrderId);
            order.Property(x => x.OrderId).HasColumnName("order_id");
            order.Property(x => x.CustomerId).HasColumnName("customer_id");
            order.Property(x => x.Email).HasColumnName("email").HasMaxLength(320);
            order.Property(x => x.Status).HasColumnName("status").HasMaxLength(32);
            Json(order.Property(x => x.Lines).HasColumnName("lines"));
            order.Property(x => x.Total).HasColumnName("total").HasPrecision(18, 2);
            order.Property(x => x.Currency).HasColumnName("currency").HasMaxLength(3);
            order.Property(x => x.PaymentId).HasColumnName("payment_id").HasMaxLength(100);
            order.Property(x => x.AmountPaid).HasColumnName("amount_paid").HasPrecision(18, 2);
            order.Property(x => x.AmountRefunded).HasColumnName("amount_refunded").HasPrecision(18, 2);
            order.Property(x => x.PaymentFailure).HasColumnName("payment_failure");
            order.Property(x => x.CancellationReason).HasColumnName("cancellation_reason");
            Json(order.Property(x => x.Timeline).HasColumnName("timeline"));
            order.Property(x => x.Version).HasColumnName("version");
            order.Property(x => x.SubmittedAt).HasColumnName("submitted_at");
            order.Property(x => x.PlacedAt).HasColumnName("placed_at");
            order.Property(x => x.SortKey).HasColumnName("sort_key").HasMaxLength(64);
            order.Property(x => x.SearchText).HasColumnName("search_text");
            order.Property(x => x.LastEventAt).HasColumnName("last_event_at");
            order.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            order.Property(x => x.Revision).HasColumnName("revision").IsConcurrencyToken();

            // Keyset paging: newest first, for everyone and per customer.
            order.HasIndex(x => x.SortKey);
            order.HasIndex(x => new { x.CustomerId, x.SortKey });
            order.HasIndex(x => new { x.Status, x.SortKey });
            order.HasIndex(x => x.LastEventAt);
            order.HasIndex(x => x.UpdatedAt);
            ConfigureOrders(order);
        });

        modelBuilder.Entity<ProductImageDocument>(image =>
        {
            image.ToTable("product_images");
            image.HasKey(x => x.ImageId);
            image.Property(x => x.ImageId).HasColumnName("image_id");
            image.Property(x => x.Sku).HasColumnName("sku").HasMaxLength(64);
            image.Property(x => x.Status).HasColumnName("status").HasMaxLength(32);
            image.Property(x => x.Format).HasColumnName("format").HasMaxLength(16);
            image.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(100);
            image.Property(x => x.SizeBytes).HasColumnName("size_bytes");
            image.Property(x => x.Width).HasColumnName("width");
            image.Property(x => x.Height).HasColumnName("height");
            Json(image.Property(x => x.Thumbnails).HasColumnName("thumbnails"));
            image.Property(x => x.CameraMake).HasColumnName("camera_make").HasMaxLength(200);
            image.Property(x => x.CameraModel).HasColumnName("camera_model").HasMaxLength(200);
            image.Property(x => x.CapturedAt).HasColumnName("captured_at");
            image.Property(x => x.ExposureTimeSeconds).HasColumnName("exposure_time_seconds");
            image.Property(x => x.FNumber).HasColumnName("f_number");
            image.Property(x => x.Iso).HasColumnName("iso");
            image.Property(x => x.FocalLengthMillimetres).HasColumnName("focal_length_mm");
            image.Property(x => x.Orientation).HasColumnName("orientation");
            image.Property(x => x.FailureReason).HasColumnName("failure_reason");
            image.Property(x => x.Version).HasColumnName("version");
            image.Property(x => x.UploadedAt).HasColumnName("uploaded_at");
            image.Property(x => x.LastEventAt).HasColumnName("last_event_at");
            image.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            image.Property(x => x.Revision).HasColumnName("revision").IsConcurrencyToken();

            image.HasIndex(x => new { x.Sku, x.UploadedAt });
            image.HasIndex(x => new { x.Status, x.UploadedAt });
            image.HasIndex(x => x.LastEventAt);
            image.HasIndex(x => x.UpdatedAt);
            ConfigureImages(image);
        });
    }

    /// <summary>What only this provider has (full-text search, column types).</summary>
    protected virtual void ConfigureOrders(EntityTypeBuilder<OrderSummary> order)
    {
    }

    protected virtual void ConfigureImages(EntityTypeBuilder<ProductImageDocument> image)
    {
    }

    /// <summary>Orders matching every word of <paramref name="words"/> (lower case, non-empty).</summary>
    internal abstract IQueryable<OrderSummary> MatchingText(IQueryable<OrderSummary> orders, IReadOnlyList<string> words);

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    static void Json<T>(PropertyBuilder<List<T>> property) => property
        .HasConversion(
            value => JsonSerializer.Serialize(value, JsonOptions),
            json => JsonSerializer.Deserialize<List<T>>(json, JsonOptions) ?? new List<T>(),
            new ValueComparer<List<T>>(
                (a, b) => JsonSerializer.Serialize(a, JsonOptions) == JsonSerializer.Serialize(b, JsonOptions),
                value => JsonSerializer.Serialize(value, JsonOptions).GetHashCode(),
                value => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(value, JsonOptions), JsonOptions)!));
}
