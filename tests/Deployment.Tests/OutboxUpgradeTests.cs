using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Payments.Worker.Persistence;

namespace Shop.Deployment.Tests;

/// <summary>
/// The outbox moved from a row per unit (<c>outbox_state</c>, its messages tied to it by a foreign key) to the unit's
/// columns on each message row. What waits for delivery at the upgrade must still go out, at its time, with its
/// schedule token and its attempts; and the way back must give every unit its row again. Run on both databases with
/// the Payments service's own migrations (every service's store migration is the same).
/// </summary>
public sealed class OutboxUpgradeTests
{
    const string Before = "InitialCreate";
    const string After = "OutboxOneRowPerMessage";

    static readonly DateTime Created = new(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc);
    static readonly Guid Retrying = Guid.NewGuid();
    static readonly Guid Scheduled = Guid.NewGuid();
    static readonly Guid Token = Guid.NewGuid();

    [Fact]
    public async Task Pending_units_survive_the_upgrade_on_sqlite()
    {
        var folder = Directory.CreateTempSubdirectory("shop-upgrade-").FullName;
        try
        {
            var options = new DbContextOptionsBuilder<PaymentsSqliteMigrations>().UseSqlite($"Data Source={Path.Combine(folder, "payments.db")}").Options;
            await using var db = new PaymentsSqliteMigrations(options);
            await UpgradesAndDowngrades(db);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Pending_units_survive_the_upgrade_on_postgresql()
    {
        var admin = Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES")
                    ?? throw new InvalidOperationException("SHOP_TEST_POSTGRES is not set: run scripts/services.sh");
        var database = $"shop_upgrade_{Guid.NewGuid():N}";
        await Execute(admin, $"CREATE DATABASE \"{database}\"");
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, Pooling = false }.ConnectionString;
            await using var db = new PaymentsDbContext(new DbContextOptionsBuilder<PaymentsDbContext>().UseNpgsql(connectionString).Options);
            await UpgradesAndDowngrades(db);
        }
        finally
        {
            await Execute(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    static async Task UpgradesAndDowngrades(DbContext db)
    {
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before);

        // As the previous version wrote them: a unit of two messages backing off after three failed attempts, and a
        // schedule due tomorrow.
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO outbox_state (outbox_id, created, due_time, schedule_token_id, attempts, last_error) VALUES ({0}, {1}, {2}, NULL, 3, 'TimeoutException: send timed out')",
            Retrying, Created, Created.AddMinutes(5));
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO outbox_state (outbox_id, created, due_time, schedule_token_id, attempts) VALUES ({0}, {1}, {2}, {3}, 0)",
            Scheduled, Created, Created.AddDays(1), Token);
        foreach (var (outboxId, sequence) in new[] { (Retrying, 0), (Retrying, 1), (Scheduled, 0) })
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO outbox_message (outbox_id, sequence_number, message_id, content_type, message_type, body, sent_time) VALUES ({0}, {1}, {2}, 'application/vnd.masstransit+json', 'urn:message:Ping', '{{}}', {3})",
                outboxId, sequence, Guid.NewGuid(), Created);

        await migrator.MigrateAsync(After);

        var rows = await db.Set<OutboxMessage>().AsNoTracking().OrderBy(m => m.DueTime).ThenBy(m => m.SequenceNumber).ToListAsync();
        Assert.Equal(3, rows.Count);
        Assert.All(rows[..2], m =>
        {
            Assert.Equal(Retrying, m.OutboxId);
            Assert.Equal(Created.AddMinutes(5), m.DueTime);
            Assert.Equal(Created, m.Created);
            Assert.Equal(3, m.Attempts);
            Assert.Equal("TimeoutException: send timed out", m.LastError);
            Assert.Null(m.ScheduleTokenId);
        });
        Assert.Equal([0L, 1L], rows[..2].Select(m => m.SequenceNumber));
        Assert.Equal(Scheduled, rows[2].OutboxId);
        Assert.Equal(Created.AddDays(1), rows[2].DueTime);
        Assert.Equal(Token, rows[2].ScheduleTokenId);
        Assert.Equal(0, rows[2].Attempts);

        // Back down: one unit row per unit again, from its first message, and the messages tied to it.
        await migrator.MigrateAsync(Before);
        var units = await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM outbox_state").SingleAsync();
        Assert.Equal(2L, units);
        var attempts = await db.Database.SqlQueryRaw<int>(
            "SELECT attempts AS \"Value\" FROM outbox_state WHERE outbox_id = {0}", Retrying).SingleAsync();
        Assert.Equal(3, attempts);
        Assert.Equal(3L, await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM outbox_message").SingleAsync());
    }

    static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
