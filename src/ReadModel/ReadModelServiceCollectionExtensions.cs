using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Shop.BlobStorage;
using Shop.ReadModel.Archive;
using Shop.ReadModel.Elasticsearch;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Relational;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel;

public static class ReadModelServiceCollectionExtensions
{
    public const string ConnectionStringName = "ReadModel";
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=shop_search;Database=shop_search";

    /// <summary>
    /// The read-model store, for the projector and for the query API: Elasticsearch when <c>ReadModel:Store</c> is
    /// <c>Elasticsearch</c> (<c>ReadModel:Elasticsearch:*</c>); otherwise relational on <c>ConnectionStrings:ReadModel</c>,
    /// PostgreSQL, or SQLite when <c>Database:Provider</c> is <c>Sqlite</c>. Registered once however many services of
    /// one host ask for it.
    /// </summary>
    public static IServiceCollection AddReadModelStore(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IReadModelStore)))
            return services;

        var store = configuration[StoreKey] ?? "Relational";
        if (string.Equals(store, "Elasticsearch", StringComparison.OrdinalIgnoreCase))
        {
            var options = configuration.GetSection(ElasticsearchReadModelOptions.SectionName).Get<ElasticsearchReadModelOptions>()
                          ?? new ElasticsearchReadModelOptions();
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton(options);
            services.AddSingleton(_ => ElasticsearchClientFactory.Create(options));
            services.AddSingleton<IReadModelStore, ElasticsearchReadModelStore>();
        }
        else if (string.Equals(store, "Relational", StringComparison.OrdinalIgnoreCase))
            AddRelationalStore(services, configuration);
        else
            throw new InvalidOperationException($"{StoreKey} is '{store}'; use Relational (the default) or Elasticsearch.");

        services.AddSingleton<IReadModelReader>(sp => sp.GetRequiredService<IReadModelStore>());
        services.AddSingleton<IReadModelWriter>(sp => sp.GetRequiredService<IReadModelStore>());
        return services;
    }

    public const string StoreKey = "ReadModel:Store";

    static void AddRelationalStore(IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString;
        var provider = configuration["Database:Provider"] ?? "PostgreSql";
        var postgres = provider.ToLowerInvariant() switch
        {
            "postgresql" => true,
            "sqlite" => false,
            _ => throw new InvalidOperationException($"Database:Provider is '{provider}'; use PostgreSql (the default) or Sqlite."),
        };

        services.AddSingleton(new RelationalReadModelDatabase(postgres, connectionString));
        services.AddSingleton<IReadModelStore, RelationalReadModelStore>();
    }

    /// <summary>
    /// What the projecting side needs besides the store: the projector, the archive on blob storage, and readiness that
    /// depends on the store (the query API stays ready without it: its writes do not need the read model).
    /// </summary>
    public static IServiceCollection AddReadModelProjection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddReadModelStore(configuration);
        services.AddHealthChecks().AddCheck<ReadModelHealthCheck>("read-model", tags: ["ready"]);
        services.AddBlobStorage(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ReadModelProjector>();
        services.TryAddSingleton<EventArchive>();
        return services;
    }
}

/// <summary>Ready when the store answers a query.</summary>
sealed class ReadModelHealthCheck(IReadModelReader reader) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await reader.OrdersFreshnessAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("The read-model store does not answer.", exception);
        }
    }
}
