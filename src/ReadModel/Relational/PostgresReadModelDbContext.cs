using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;
using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Relational;

/// <summary>
/// The read model on PostgreSQL: full text through a stored <c>tsvector</c> over the search words with a GIN index
/// (the <c>simple</c> configuration: SKUs, names and emails are not English prose to be stemmed).
/// </summary>
public sealed class PostgresReadModelDbContext(DbContextOptions<PostgresReadModelDbContext> options) : ReadModelDbContext(options)
{
    const string SearchVector = "SearchVector";

    protected override void ConfigureOrders(EntityTypeBuilder<OrderSummary> order)
    {
        // Byte order, so that the keyset comparison in SQL is the ordinal one the cursor was made with.
        order.Property(x => x.SortKey).UseCollation("C");
        order.Property<NpgsqlTsVector>(SearchVector).HasColumnName("search_vector")
            .HasComputedColumnSql("to_tsvector('simple', search_text)", stored: true);
        order.HasIndex(SearchVector).HasMethod("GIN");
    }

    protected override void ConfigureImages(EntityTypeBuilder<ProductImageDocument> image) =>
        // Camera-local time: EXIF has no time zone.
        image.Property(x => x.CapturedAt).HasColumnType("timestamp without time zone");

    internal override IQueryable<OrderSummary> MatchingText(IQueryable<OrderSummary> orders, IReadOnlyList<string> words)
    {
        var text = string.Join(' ', words);
        return orders.Where(o => EF.Property<NpgsqlTsVector>(o, SearchVector).Matches(EF.Functions.PlainToTsQuery("simple", text)));
    }
}

/// <summary>Lets <c>dotnet ef migrations add … --context PostgresReadModelDbContext</c> build the model without a host.</summary>
public sealed class PostgresReadModelDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PostgresReadModelDbContext>
{
    public PostgresReadModelDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReadModelDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
