using System.Diagnostics;
using Npgsql;
using Shop.Deploy.Aws;
using Shop.Deploy.Aws.Stacks;
using Shop.Deploy.Aws.Topology;

namespace Shop.Deployment.Aws.Tests;

/// <summary>
/// The database set-up task's script, run with psql against the real PostgreSQL 15 of <c>scripts/services.sh</c> as an
/// administrator shaped like RDS's (CREATEDB and CREATEROLE, no superuser), for the logins and grants the default
/// deployment asks for. Every login and database carries a prefix of its own and is dropped afterwards. Creating that
/// administrator needs the server's superuser, reached as <c>scripts/services.sh</c> reaches it (<c>su postgres</c>).
/// </summary>
public sealed class DatabaseSetupScriptTests : IAsyncLifetime
{
    readonly string _prefix = $"t{Guid.NewGuid():N}"[..9] + "_";
    readonly string _adminPassword = Guid.NewGuid().ToString("N");
    readonly Dictionary<ShopService, string> _passwords = [];
    readonly DeploymentSettings _settings = new() { AuthAuthority = "https://issuer.example.com/" };
    readonly NpgsqlConnectionStringBuilder _server = new(Environment.GetEnvironmentVariable("SHOP_TEST_POSTGRES")
        ?? throw new InvalidOperationException("SHOP_TEST_POSTGRES is not set: run scripts/services.sh and export what it prints"));

    string Admin => _prefix + "admin";
    string Login(ShopService service) => _prefix + service.DatabaseLogin;
    string Database(ShopService service) => _prefix + service.DatabaseName;

    public async Task InitializeAsync()
    {
        foreach (var service in _settings.DatabaseServices)
            _passwords[service] = Guid.NewGuid().ToString("N");
        await AsSuperuser($"CREATE ROLE {Admin} LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD '{_adminPassword}';");
    }

    public async Task DisposeAsync()
    {
        var drop = string.Concat(_settings.DatabaseServices.Select(s => $"DROP DATABASE IF EXISTS {Database(s)} WITH (FORCE);\n"))
                   + string.Concat(_settings.DatabaseServices.Select(s => $"DROP ROLE IF EXISTS {Login(s)};\n"))
                   + $"DROP ROLE IF EXISTS {Admin};\n";
        await AsSuperuser(drop);
    }

    [Fact]
    public async Task Should_let_the_api_read_every_read_model_table_now_and_later_and_write_none()
    {
        await RunSetup();
        await Execute(ShopService.Search, ShopService.Search, "CREATE TABLE order_summaries (id int PRIMARY KEY); INSERT INTO order_summaries VALUES (1)");
        // Run again (every deployment that changes it does), then a table a later migration adds.
        await RunSetup();
        await Execute(ShopService.Search, ShopService.Search, "CREATE TABLE product_images (id int PRIMARY KEY); INSERT INTO product_images VALUES (2)");

        await using var api = await Open(ShopService.Orders, ShopService.Search);
        await using (var read = new NpgsqlCommand("SELECT (SELECT id FROM order_summaries) + (SELECT id FROM product_images)", api))
            Assert.Equal(3, (int)(await read.ExecuteScalarAsync())!);

        foreach (var write in new[]
                 {
                     "INSERT INTO product_images VALUES (3)", "UPDATE order_summaries SET id = 4", "DELETE FROM order_summaries",
                     "TRUNCATE product_images", "CREATE TABLE api_table (id int)", "DROP TABLE order_summaries",
                 })
        {
            await using var command = new NpgsqlCommand(write, api);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{write}: {refused.SqlState} {refused.MessageText}");
        }
    }

    [Fact]
    public async Task Should_keep_each_login_out_of_the_databases_it_is_not_granted()
    {
        await RunSetup();

        foreach (var login in _settings.DatabaseServices)
        foreach (var database in _settings.DatabaseServices)
        {
            var granted = login == database || _settings.DatabaseReads.Any(r => r.Reader == login && r.Owner == database);
            if (granted)
            {
                await using var connection = await Open(login, database);
                continue;
            }

            var refused = await Assert.ThrowsAsync<PostgresException>(() => Open(login, database));
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{login} into {database}: {refused.SqlState} {refused.MessageText}");
        }
    }

    [Fact]
    public async Task Should_give_no_login_the_right_to_create_roles_or_databases()
    {
        await RunSetup();

        foreach (var service in _settings.DatabaseServices)
        {
            await using var connection = await Open(service, service);
            await using var command = new NpgsqlCommand("SELECT rolsuper OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = current_user", connection);
            Assert.False((bool)(await command.ExecuteScalarAsync())!, $"{service} may create roles or databases");
        }
    }

    async Task RunSetup()
    {
        var script = DatabaseSetupTask.Script(
            _settings.DatabaseServices.Select(s => (Login(s), Database(s), DatabaseSetupTask.PasswordVariable(s))),
            _settings.DatabaseReads.Select(r => (Login(r.Reader), Login(r.Owner), Database(r.Owner))));

        var start = new ProcessStartInfo("sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGHOST"] = _server.Host;
        start.Environment["PGPORT"] = _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = Admin;
        start.Environment["PGPASSWORD"] = _adminPassword;
        start.Environment["PGDATABASE"] = "postgres";
        foreach (var (service, password) in _passwords)
            start.Environment[DatabaseSetupTask.PasswordVariable(service)] = password;

        var (exitCode, output) = await Run(start);
        Assert.True(exitCode == 0, $"the set-up script failed ({exitCode}):\n{output}");
    }

    async Task AsSuperuser(string sql)
    {
        var start = new ProcessStartInfo("su", ["postgres", "-s", "/bin/sh", "-c",
            $"psql -X -q -v ON_ERROR_STOP=1 -d postgres -p {_server.Port}"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        var (exitCode, output) = await Run(start, sql);
        if (exitCode != 0)
            throw new InvalidOperationException(
                "These tests need the PostgreSQL superuser of scripts/services.sh's server, reached with `su postgres` " +
                $"(as scripts/services.sh does), to create an RDS-like administrator; it failed ({exitCode}):\n{output}");
    }

    static async Task<(int ExitCode, string Output)> Run(ProcessStartInfo start, string? input = null)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    async Task<NpgsqlConnection> Open(ShopService login, ShopService database)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = _server.Host, Port = _server.Port, Database = Database(database), Username = Login(login),
            Password = _passwords[login], Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    async Task Execute(ShopService login, ShopService database, string sql)
    {
        await using var connection = await Open(login, database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
