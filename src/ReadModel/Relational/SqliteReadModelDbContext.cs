using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Relational;

/// <summary>
/// The read model on SQLite (the standalone mode). Full text is a match of every word as a substring of the search
/// words (<c>LIKE</c>): SQLite's FTS5 would need a virtual table beside the document table, which a single-user
/// standalone shop does not need.
/// </summary>
public sealed class SqliteReadModelDbContext(DbContextOptions<SqliteReadModelDbContext> options) : ReadModelDbContext(options)
{
    // SQLite keeps times as text without a kind; they are written as UTC, so they are read back as UTC.
    static readonly ValueConverter<DateTime, DateTime> Utc = new(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
    static readonly ValueConverter<DateTime?, DateTime?> NullableUtc =
        new(v => v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);

    protected override void ConfigureOrders(EntityTypeBuilder<OrderSummary> order)
    {
        order.Property(x => x.SubmittedAt).HasConversion(NullableUtc);
        order.Property(x => x.PlacedAt).HasConversion(Utc);
        order.Property(x => x.LastEventAt).HasConversion(Utc);
        order.Property(x => x.UpdatedAt).HasConversion(Utc);
    }

    protected override void ConfigureImages(EntityTypeBuilder<ProductImageDocument> image)
    {
        image.Property(x => x.UploadedAt).HasConversion(NullableUtc);
        image.Property(x => x.LastEventAt).HasConversion(Utc);
        image.Property(x => x.UpdatedAt).HasConversion(Utc);
    }

    internal override IQueryable<OrderSummary> MatchingText(IQueryable<OrderSummary> orders, IReadOnlyList<string> words)
    {
        foreach (var word in words)
        {
            var pattern = "%" + word.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            orders = orders.Where(o => EF.Functions.Like(o.SearchText, pattern, "\\"));
        }

        return orders;
    }
}

public sealed class SqliteReadModelDbContextDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReadModelDbContext>
{
    public SqliteReadModelDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReadModelDbContext>().UseSqlite("Data Source=design_time.db").Options);
}
