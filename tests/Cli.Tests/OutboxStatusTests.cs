using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shop.Cli.Tests.Infrastructure;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Testing;

namespace Shop.Cli.Tests;

/// <summary>A service database with the durable store's tables, made from the same EF Core model the services map.</summary>
public interface IStoreDatabase
{
    string ConnectionString { get; }

    StoreContext Open();
}

public sealed class PostgresStoreDatabase : IntegrationEnvironment, IStoreDatabase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var db = Open();
        await db.Database.EnsureCreatedAsync();
    }

    public StoreContext Open() => new(new DbContextOptionsBuilder<StoreContext>().UseNpgsql(ConnectionString).Options);
}

/// <summary>The standalone mode's kind of service database: a SQLite file.</summary>
public sealed class SqliteStoreDatabase : IStoreDatabase, IAsyncLifetime
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"shop-cli-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={_file}";

    public StoreContext Open() => new(new DbContextOptionsBuilder<StoreContext>().UseSqlite(ConnectionString).Options);

    public async Task InitializeAsync()
    {
        await using var db = Open();
        await db.Database.EnsureCreatedAsync();
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_file);
        return Task.CompletedTask;
    }
}

public sealed class StoreContext(DbContextOptions<StoreContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddDurableMessaging();
}

public sealed class When_an_outbox_does_not_drain_on_PostgreSql(PostgresStoreDatabase database)
    : OutboxStatusTests(database), IClassFixture<PostgresStoreDatabase>
{
    [Fact]
    public async Task Should_fail_for_a_database_without_a_durable_store()
    {
        var shop = new ShopCommandLine(broker: null);
        var result = await shop.Run("outbox", "status", "--database",
            $"Orders={new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "postgres" }}");

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        Assert.Contains("no durable store", result.Output);
    }
}

public sealed class When_an_outbox_does_not_drain_on_Sqlite(SqliteStoreDatabase database)
    : OutboxStatusTests(database), IClassFixture<SqliteStoreDatabase>;

public abstract class OutboxStatusTests(IStoreDatabase database)
{
    [Fact]
    public async Task Should_show_its_pending_units_their_age_and_the_last_error_of_those_backing_off()
    {
        var now = DateTime.UtcNow;
        await using (var db = database.Open())
        {
            // Two units the broker refused for a while, one written just now, one saga timeout due tomorrow; three inbox rows.
            db.AddRange(Unit(now.AddMinutes(-10), now.AddSeconds(20), attempts: 7, "BrokerUnreachableException: None of the specified endpoints were reachable", messages: 2));
            db.AddRange(Unit(now.AddMinutes(-3), now.AddSeconds(10), attempts: 2, "TimeoutException: send timed out", messages: 1));
            db.AddRange(Unit(now.AddSeconds(-1), now.AddSeconds(-1), attempts: 0, null, messages: 1));
            db.AddRange(Unit(now.AddMinutes(-1), now.AddDays(1), attempts: 0, null, messages: 1));
            for (var i = 0; i < 3; i++)
                db.Add(new InboxState { MessageId = Guid.NewGuid(), ConsumerId = Guid.NewGuid(), Received = now, ReceiveCount = 1, Consumed = i == 0 ? null : now });
            await db.SaveChangesAsync();
        }

        var shop = new ShopCommandLine(broker: null);
        var result = await shop.RunProcess("outbox", "status", "--database", $"Payments={database.ConnectionString}", "--output", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var status = Assert.Single(JsonDocument.Parse(result.Output).RootElement.EnumerateArray());
        Assert.Equal("Payments", status.GetProperty("service").GetString());
        Assert.Equal(3, status.GetProperty("pendingUnits").GetInt64());
        Assert.Equal(4, status.GetProperty("pendingMessages").GetInt64());
        Assert.Equal(1, status.GetProperty("scheduledUnits").GetInt64());
        Assert.Equal(2, status.GetProperty("backoffUnits").GetInt64());
        Assert.InRange(TimeSpan.Parse(status.GetProperty("oldestPendingAge").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20));
        var backoff = status.GetProperty("backoff").EnumerateArray().ToList();
        Assert.Equal(7, backoff[0].GetProperty("attempts").GetInt32());
        Assert.Contains("BrokerUnreachableException", backoff[0].GetProperty("lastError").GetString());
        Assert.Equal(2, backoff[0].GetProperty("messages").GetInt32());
        Assert.Equal(3, status.GetProperty("inboxSize").GetInt64());
        Assert.Equal(1, status.GetProperty("inboxUnconsumed").GetInt64());
    }

    /// <summary>The rows of one outbox unit: its messages, each carrying the unit's columns.</summary>
    static IEnumerable<OutboxMessage> Unit(DateTime created, DateTime due, int attempts, string? lastError, int messages)
    {
        var outboxId = Guid.NewGuid();
        return Enumerable.Range(0, messages).Select(i => new OutboxMessage
        {
            OutboxId = outboxId, SequenceNumber = i, Created = created, DueTime = due, Attempts = attempts, LastError = lastError,
            MessageId = Guid.NewGuid(), ContentType = "application/vnd.masstransit+json",
            MessageType = "urn:message:Shop.Contracts.Payments:PaymentCompleted", Body = "{}", SentTime = created,
        }).ToList();
    }
}
