using Npgsql;
using Shop.Testing;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>An empty PostgreSQL database of its own on the real server (the worker migrates it at start); dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    readonly string _admin;
    readonly string _name;

    TestDatabase(string admin, string name)
    {
        _admin = admin;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var admin = (await TestServices.Get()).PostgresAdmin;
        var name = $"lambda_{Guid.NewGuid():N}"[..24];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new TestDatabase(admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (PostgresException exception)
        {
            // A leftover test database harms nothing but disk space.
            Console.Error.WriteLine($"test database {_name} left behind: {exception.MessageText}");
        }
    }
}
