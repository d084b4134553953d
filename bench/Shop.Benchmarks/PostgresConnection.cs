using Npgsql;

namespace Shop.Benchmarks;

/// <summary>
/// Whether the scenarios reach PostgreSQL over TLS. The local server of <c>scripts/services.sh</c> (Debian's) offers
/// TLS, and Npgsql's default (<c>Prefer</c>) takes it; docker-compose's server does not offer it, and RDS requires it.
/// The benchmark says which it measured instead of inheriting it: every scenario, ours and Wolverine's, gets the same.
/// </summary>
static class PostgresConnection
{
    const string Variable = "SHOP_TEST_POSTGRES";

    /// <summary>Rewrites the environment's connection string for this process; returns what the header prints.</summary>
    public static string Choose(bool tls)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } connectionString)
            return "(not configured)";

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SslMode = tls ? SslMode.Require : SslMode.Disable };
        Environment.SetEnvironmentVariable(Variable, builder.ConnectionString);
        return tls ? "over TLS (--postgres-tls true)" : "without TLS (loopback; --postgres-tls true for TLS)";
    }
}
