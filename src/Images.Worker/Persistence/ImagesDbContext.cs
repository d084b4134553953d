using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Images.Worker.Persistence;

/// <summary>The worker's own database: extracted metadata plus the inbox/outbox tables its consumers run in.</summary>
public class ImagesDbContext : DbContext
{
    public ImagesDbContext(DbContextOptions<ImagesDbContext> options) : base(options)
    {
    }

    /// <summary>For <see cref="ImagesSqliteMigrations"/>, which shares this model.</summary>
    protected ImagesDbContext(DbContextOptions options) : base(options)
    {
    }

    public DbSet<ImageMetadataRecord> ImageMetadata => Set<ImageMetadataRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddDurableMessaging();

        modelBuilder.Entity<ImageMetadataRecord>(metadata =>
        {
            metadata.ToTable("image_metadata");
            metadata.HasKey(x => x.ImageId);
            metadata.Property(x => x.ImageId).HasColumnName("image_id").ValueGeneratedNever();
            metadata.Property(x => x.Format).HasColumnName("format").HasMaxLength(16);
            metadata.Property(x => x.Width).HasColumnName("width");
            metadata.Property(x => x.Height).HasColumnName("height");
            metadata.Property(x => x.CameraMake).HasColumnName("camera_make").HasMaxLength(1024);
            metadata.Property(x => x.CameraModel).HasColumnName("camera_model").HasMaxLength(1024);
            metadata.Property(x => x.CapturedAt).HasColumnName("captured_at").HasColumnType("timestamp without time zone");
            metadata.Property(x => x.ExposureTimeSeconds).HasColumnName("exposure_time_seconds");
            metadata.Property(x => x.FNumber).HasColumnName("f_number");
            metadata.Property(x => x.Iso).HasColumnName("iso");
            metadata.Property(x => x.FocalLengthMillimetres).HasColumnName("focal_length_mm");
            metadata.Property(x => x.Orientation).HasColumnName("orientation");
            metadata.Property(x => x.Latitude).HasColumnName("latitude");
            metadata.Property(x => x.Longitude).HasColumnName("longitude");
            metadata.Property(x => x.Tags).HasColumnName("tags").HasColumnType("jsonb");
            metadata.Property(x => x.ExtractedAt).HasColumnName("extracted_at");
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running host.</summary>
public sealed class ImagesDbContextDesignTimeFactory : IDesignTimeDbContextFactory<ImagesDbContext>
{
    public ImagesDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ImagesDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
