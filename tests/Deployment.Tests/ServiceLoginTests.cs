using Npgsql;

namespace Shop.Deployment.Tests;

/// <summary>
/// The per-service PostgreSQL logins that scripts/services.sh sets up (deploy/postgres/service-databases.sh), on the
/// real server: each owns its database and nothing else. Their passwords are in the file SHOP_SERVICE_CREDENTIALS names.
/// </summary>
public sealed class When_a_service_connects_with_its_own_login
{
    [Fact]
    public async Task Should_own_its_database()
    {
        await using var connection = await Open("payments", "shop_payments");

        await using var transaction = await connection.BeginTransactionAsync();
        await Execute(connection, "CREATE TABLE login_check (id int PRIMARY KEY); INSERT INTO login_check VALUES (1); DROP TABLE login_check");
        await transaction.RollbackAsync();
    }

    [Theory]
    [InlineData("payments", "shop_orders")]
    [InlineData("orders", "shop_payments")]
    [InlineData("notifications", "shop_orders")]
    [InlineData("images", "shop_search")]
    [InlineData("search", "shop_images")]
    public async Task Should_not_connect_to_another_service_s_database(string service, string database)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Open(service, database));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task Should_not_be_a_superuser_nor_create_databases_or_roles()
    {
        await using var connection = await Open("orders", "shop_orders");

        await using var command = new NpgsqlCommand("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((false, false, false), (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2)));
    }

    [Fact]
    public async Task Should_let_the_api_only_read_the_read_model()
    {
        await using var connection = await Open("orders", "shop_search");

        var write = await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "CREATE TABLE api_write_check (id int)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, write.SqlState);
    }

    static async Task<NpgsqlConnection> Open(string service, string database)
    {
        var credentials = await Credentials();
        var password = credentials.GetValueOrDefault($"SHOP_{service.ToUpperInvariant()}_DB_PASSWORD")
                       ?? throw new InvalidOperationException($"no database password for {service} in {CredentialsFile}");
        var admin = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES")
                                                      ?? throw new InvalidOperationException("SHOP_TEST_POSTGRES is not set: run scripts/services.sh"));
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = admin.Host, Port = admin.Port, Username = $"shop_{service}", Password = password, Database = database, Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    static string CredentialsFile => Environment.GetEnvironmentVariable("SHOP_SERVICE_CREDENTIALS")
                                     ?? throw new InvalidOperationException("SHOP_SERVICE_CREDENTIALS is not set: run scripts/services.sh");

    static async Task<Dictionary<string, string>> Credentials() =>
        (await File.ReadAllLinesAsync(CredentialsFile))
        .Where(line => line.Contains('=') && !line.StartsWith('#'))
        .Select(line => line.Split('=', 2))
        .ToDictionary(parts => parts[0], parts => parts[1]);
}
