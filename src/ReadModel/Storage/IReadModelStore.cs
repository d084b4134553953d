namespace Shop.ReadModel.Storage;

/// <summary>
/// The read-model store, a port: a relational adapter (PostgreSQL, SQLite) and an Elasticsearch one implement it.
/// </summary>
public interface IReadModelStore : IReadModelWriter, IReadModelReader
{
    /// <summary>Creates or upgrades what the store needs (schema, index templates, aliases).</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A fresh, empty read model beside the live one: written through the returned writer, invisible to readers until
    /// <see cref="IReadModelRebuild.SwapAsync"/> puts it in the live one's place; disposed without a swap, it is dropped.
    /// </summary>
    Task<IReadModelRebuild> BeginRebuildAsync(CancellationToken cancellationToken);
}

public interface IReadModelRebuild : IReadModelWriter, IAsyncDisposable
{
    Task SwapAsync(CancellationToken cancellationToken);
}
