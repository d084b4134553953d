using Npgsql;

namespace Shop.Benchmarks;

/// <summary>
/// Transactions committed in the scenario's database during a timed part (<c>pg_stat_database.xact_commit</c>),
/// background work included: unlike a rate, a count per message does not depend on how busy the machine is.
/// </summary>
public sealed class DatabaseCommits
{
    // PostgreSQL 15 backends report their counts when they have been idle for up to 10 s; waiting that long on each
    // side of the timed part keeps the warm-up's commits out and the last ones in. Quick runs do not wait.
    static readonly TimeSpan Flush = TimeSpan.FromSeconds(11);

    readonly string _connectionString;
    readonly long _start;
    readonly bool _wait;

    DatabaseCommits(string connectionString, long start, bool wait) => (_connectionString, _start, _wait) = (connectionString, start, wait);

    public static async Task<DatabaseCommits> Start(string connectionString, bool wait)
    {
        if (wait)
            await Task.Delay(Flush);
        return new DatabaseCommits(connectionString, await Read(connectionString), wait);
    }

    public async Task<double> Per(int units)
    {
        if (_wait)
            await Task.Delay(Flush);
        return (await Read(_connectionString) - _start) / (double)units;
    }

    static async Task<long> Read(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
