using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>
/// A database and a RabbitMQ virtual host of their own for one test class, so classes run side by side without
/// seeing each other's messages or rows. The schema comes from the checked-in migrations.
/// </summary>
public sealed class TestEnvironment : IAsyncLifetime
{
    readonly string _name = $"t_{Guid.NewGuid():N}"[..20];
    TestServices.Endpoints? _endpoints;

    public string ConnectionString { get; private set; } = "";
    public string VirtualHost => _name;
    public string RabbitMqUrl { get; private set; } = "";
    public RabbitMqManagement Management { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _endpoints = await TestServices.Get();

        await using (var admin = new NpgsqlConnection(_endpoints.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_endpoints.PostgresAdmin) { Database = _name, MaxPoolSize = 50 }.ConnectionString;
        await using (var db = CreateDbContext())
            await db.Database.MigrateAsync();

        Management = new RabbitMqManagement(_endpoints.RabbitMqManagement);
        await Management.CreateVirtualHost(_name);
        RabbitMqUrl = new UriBuilder(_endpoints.RabbitMq) { Path = "/" + _name }.Uri.ToString();
    }

    public TestDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<TestDbContext>().UseNpgsql(ConnectionString).Options);

    public async Task DisposeAsync()
    {
        if (_endpoints is null)
            return;

        await Management.DeleteVirtualHost(_name);
        Management.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_endpoints.PostgresAdmin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
