using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.BlobStorage.Disk;
using Shop.ReadModel.Archive;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Relational;
using Shop.ReadModel.Storage;
using Shop.Testing;

namespace Shop.Search.Tests.Infrastructure;

/// <summary>Creates empty read-model stores of one kind, each initialised as Search.Worker does at start.</summary>
public interface IReadModelStores : IAsyncLifetime
{
    string Name { get; }

    Task<IReadModelStore> CreateStore();
}

/// <summary>Each store its own PostgreSQL database (the real server from scripts/services.sh).</summary>
public sealed class PostgresStores : IntegrationEnvironment, IReadModelStores
{
    int _count;

    public string Name => "PostgreSQL";

    public async Task<IReadModelStore> CreateStore()
    {
        var connectionString = await CreateDatabase($"readmodel{Interlocked.Increment(ref _count)}");
        var store = new RelationalReadModelStore(new RelationalReadModelDatabase(postgres: true, connectionString));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }
}

/// <summary>Each store its own SQLite file in a temporary folder.</summary>
public sealed class SqliteStores : IReadModelStores
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "shop-readmodel-tests", Guid.NewGuid().ToString("N"));
    int _count;

    public string Name => "SQLite";

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task<IReadModelStore> CreateStore()
    {
        var file = Path.Combine(_folder, $"readmodel{Interlocked.Increment(ref _count)}.db");
        var store = new RelationalReadModelStore(new RelationalReadModelDatabase(postgres: false, $"Data Source={file}"));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pool being torn down: a temporary folder left behind harms nothing.
        }

        return Task.CompletedTask;
    }
}

/// <summary>The projecting side without a bus: what Search.Worker's batch handler does with a batch.</summary>
public sealed class Projection(IReadModelStore store, string? archiveRoot = null)
{
    public IReadModelStore Store { get; } = store;
    public ReadModelProjector Projector { get; } = new(TimeProvider.System, NullLogger<ReadModelProjector>.Instance);

    public EventArchive? Archive { get; } = archiveRoot is null
        ? null
        : new EventArchive(new DiskBlobStorage(archiveRoot), TimeProvider.System, NullLogger<EventArchive>.Instance);

    public async Task<ProjectionResult> Apply(IReadOnlyList<ProjectedEvent> batch)
    {
        if (Archive is not null)
            await Archive.WriteAsync(batch, CancellationToken.None);
        return await Projector.ProjectAsync(Store, batch, CancellationToken.None);
    }

    public async Task ApplyInBatches(IReadOnlyList<ProjectedEvent> events, int batchSize)
    {
        foreach (var batch in events.Chunk(batchSize))
            await Apply(batch);
    }

    public ReadModelRebuilder Rebuilder() =>
        new(Store, Archive ?? throw new InvalidOperationException("No archive."), Projector, TimeProvider.System,
            NullLogger<ReadModelRebuilder>.Instance);

    public async Task<List<OrderSummary>> Orders(IEnumerable<ProjectedEvent> events)
    {
        var ids = events.Select(e => ReadModelEvents.OrderIdOf(e.Message)).OfType<Guid>().Distinct().ToList();
        return (await Store.FindOrdersAsync(ids, CancellationToken.None)).Values.OrderBy(o => o.OrderId).ToList();
    }

    public async Task<List<ProductImageDocument>> Images(IEnumerable<ProjectedEvent> events)
    {
        var ids = events.Select(e => ReadModelEvents.ImageIdOf(e.Message)).OfType<Guid>().Distinct().ToList();
        return (await Store.FindImagesAsync(ids, CancellationToken.None)).Values.OrderBy(i => i.ImageId).ToList();
    }

    /// <summary>A document's content, without when and how often it was written.</summary>
    public static string Content<TDocument>(TDocument document)
    {
        var json = JsonSerializer.SerializeToNode(document)!.AsObject();
        json.Remove(nameof(OrderSummary.UpdatedAt));
        json.Remove(nameof(OrderSummary.Revision));
        return json.ToJsonString();
    }
}
