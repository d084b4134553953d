using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Shop.Messaging.EntityFrameworkCore.Delivery;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// Commits the last batches of several consumes in one PostgreSQL transaction and one round trip: each consume's
/// statements (its rows, its inbox claim, its outbox rows), one after another in one command, in the implicit
/// transaction PostgreSQL gives a command's statements up to their sync point. A consume's own transaction and round
/// trip cost PostgreSQL and the machine as much as its statements did (measured with <c>pgbench</c>: 117–194 µs of
/// PostgreSQL and kernel time per consume alone, 47–87 µs in groups of eight). Nothing changes for the consume: its
/// save returns when its group has committed, before the message is acknowledged.
/// <para>
/// Only a batch that is the whole of its transaction joins (nothing was sent on its connection since <c>BEGIN</c>,
/// which Npgsql holds back until the first command) and that carries its inbox claim as a plain insert: a group that
/// fails is run again one consume at a time, and a consume whose group did commit after all (a connection lost before
/// the answer) then meets its own claim's row and counts as a duplicate. Groups form by themselves under load: a lane
/// takes everything that waits when it comes free, and at rest a consume runs alone on a free lane at once.
/// </para>
/// </summary>
public sealed class GroupCommit<TDbContext>(IOptions<DurableStoreOptions> options, DurableStoreMetrics metrics,
    ILogger<GroupCommit<TDbContext>> logger)
    : GroupCommit(options.Value.GroupCommitLimit, options.Value.GroupCommitLanes, metrics, logger)
    where TDbContext : DbContext;

public abstract class GroupCommit : IAsyncDisposable, IDisposable
{
    sealed class Entry(string sql, NpgsqlParameter[] parameters, int statements)
    {
        public readonly string Sql = sql;
        public readonly NpgsqlParameter[] Parameters = parameters;
        public readonly int Statements = statements;
        public readonly TaskCompletionSource<int[]> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    readonly Channel<Entry> _waiting = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleWriter = false });
    readonly int _limit;
    readonly int _laneCount;
    readonly DurableStoreMetrics _metrics;
    readonly ILogger _logger;
    readonly Lock _lock = new();
    Task[]? _lanes;
    long _next;
    long _groups;
    long _grouped;
    int _inLanes;

    private protected GroupCommit(int limit, int lanes, DurableStoreMetrics metrics, ILogger logger)
    {
        _limit = limit;
        _laneCount = Math.Max(1, lanes);
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Consumes waiting for a lane.</summary>
    public int Waiting => _waiting.Reader.Count;

    /// <summary>Consumes a lane has taken and not yet answered.</summary>
    public int InLanes => Volatile.Read(ref _inLanes);

    /// <summary>Commands that committed two or more consumes together.</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Consumes committed in those commands.</summary>
    public long GroupedCommits => Interlocked.Read(ref _grouped);

    /// <summary>False when consumes are not to be grouped (a limit of one), or Npgsql no longer shows its transaction state.</summary>
    public bool Enabled => _limit > 1 && PendingTransaction.Available;

    /// <summary>
    /// True when <paramref name="db"/>'s transaction has begun but sent nothing yet: its next command would be its
    /// first, so the commands can run in another connection's transaction instead.
    /// </summary>
    public static bool NothingSent(DbContext db) =>
        db.Database.GetDbConnection() is NpgsqlConnection connection && PendingTransaction.Is(connection);

    /// <summary>
    /// Runs <paramref name="command"/>'s statements (no <c>COMMIT</c>) in a group and returns the rows each affected, in
    /// order, once the group has committed. Its parameters move to the group's command.
    /// </summary>
    public Task<int[]> Commit(DbCommand command)
    {
        var id = Interlocked.Increment(ref _next);
        var prefix = $"g{id}_";
        var parameters = new NpgsqlParameter[command.Parameters.Count];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (NpgsqlParameter)command.Parameters[i];
            names.Add(parameters[i].ParameterName.TrimStart('@', ':'));
        }

        command.Parameters.Clear();
        var (sql, statements) = Rename(command.CommandText, names, prefix);
        foreach (var parameter in parameters)
            parameter.ParameterName = prefix + parameter.ParameterName.TrimStart('@', ':');

        var entry = new Entry(sql, parameters, statements);
        StartLanes((NpgsqlConnection)command.Connection!);
        if (!_waiting.Writer.TryWrite(entry))
            throw new ObjectDisposedException(GetType().Name, "The host is stopping.");
        return entry.Done.Task;
    }

    void StartLanes(NpgsqlConnection template)
    {
        if (_lanes is not null)
            return;
        lock (_lock)
        {
            if (_lanes is not null)
                return;
            // The lanes outlive the consume that starts them: no trace or scope of its may flow into them.
            using (ExecutionContext.SuppressFlow())
                _lanes = Enumerable.Range(0, _laneCount).Select(_ => Task.Run(() => RunLane((NpgsqlConnection)((ICloneable)template).Clone()))).ToArray();
        }
    }

    async Task RunLane(NpgsqlConnection connection)
    {
        var group = new List<Entry>(_limit);
        await using (connection)
        {
            while (await _waiting.Reader.WaitToReadAsync())
            {
                group.Clear();
                while (group.Count < _limit && _waiting.Reader.TryRead(out var entry))
                    group.Add(entry);
                if (group.Count == 0)
                    continue;

                Interlocked.Add(ref _inLanes, group.Count);
                if (group.Count == 1 || !await TryTogether(connection, group))
                {
                    foreach (var entry in group)
                        await Alone(connection, entry);
                }

                Interlocked.Add(ref _inLanes, -group.Count);
            }
        }
    }

    /// <summary>The group in one command; false (nothing committed, nothing answered) when any of it failed.</summary>
    async Task<bool> TryTogether(NpgsqlConnection connection, List<Entry> group)
    {
        try
        {
            var rows = await Run(connection, group);
            Interlocked.Increment(ref _groups);
            Interlocked.Add(ref _grouped, group.Count);
            _metrics.GroupCommitted(group.Count);
            var offset = 0;
            foreach (var entry in group)
            {
                entry.Done.TrySetResult(rows[offset..(offset + entry.Statements)]);
                offset += entry.Statements;
            }

            return true;
        }
        catch (Exception exception)
        {
            // Whatever failed (the database's error, a broken connection, a value Npgsql cannot write), each consume
            // alone gets its own outcome, and a lane never stops on a failure. Which consume failed the group is not
            // worth working out: failures are rare (a duplicate's claim, a constraint of the consumer's), and each one
            // alone says whose it is. Should the group have committed after all (its answer lost), each claim meets
            // its own row and the consume counts as a duplicate.
            _logger.LogDebug(exception, "A group of {Count} commits failed; each runs alone", group.Count);
            _metrics.GroupFailed();
            return false;
        }
    }

    async Task Alone(NpgsqlConnection connection, Entry entry)
    {
        try
        {
            var rows = await Run(connection, [entry]);
            _metrics.GroupCommitted(1);
            entry.Done.TrySetResult(rows);
        }
        catch (Exception exception)
        {
            entry.Done.TrySetException(exception);
        }
    }

    static async Task<int[]> Run(NpgsqlConnection connection, IReadOnlyList<Entry> group)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.CloseAsync();
            await connection.OpenAsync();
        }

        var statements = 0;
        var sql = new StringBuilder();
        foreach (var entry in group)
        {
            sql.Append(entry.Sql).Append('\n');
            statements += entry.Statements;
        }

        await using var command = new NpgsqlCommand(sql.ToString(), connection);
        foreach (var entry in group)
            command.Parameters.AddRange(entry.Parameters);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.NextResultAsync())
            {
            }

#pragma warning disable CS0618 // Per-statement row counts of a multi-statement command; EF Core's own batch reads them the same way.
            var results = reader.Statements;
            if (results.Count != statements)
                throw new InvalidOperationException($"The group's command ran {results.Count} statements where {statements} were counted.");
            var rows = new int[statements];
            for (var i = 0; i < statements; i++)
                rows[i] = (int)results[i].Rows;
#pragma warning restore CS0618
            return rows;
        }
        finally
        {
            // A parameter belongs to one command at a time; the consume may run again alone.
            command.Parameters.Clear();
        }
    }

    /// <summary>
    /// Prefixes the parameter placeholders of <paramref name="sql"/> (<c>@name</c> for a name in <paramref name="names"/>),
    /// outside quoted strings, quoted identifiers and comments, so that several consumes' statements share one command;
    /// counts its statements as Npgsql splits them (at semicolons outside those), so that each consume gets its rows.
    /// </summary>
    internal static (string Sql, int Statements) Rename(string sql, HashSet<string> names, string prefix)
    {
        var result = new StringBuilder(sql.Length + names.Count * prefix.Length);
        var statements = 0;
        var open = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == ';')
            {
                if (open)
                    statements++;
                open = false;
                result.Append(c);
                i++;
                continue;
            }

            if (!char.IsWhiteSpace(c) && !(c == '-' && i + 1 < sql.Length && sql[i + 1] == '-') && !(c == '/' && i + 1 < sql.Length && sql[i + 1] == '*'))
                open = true;
            if (c is '\'' or '"')
            {
                var end = sql.IndexOf(c, i + 1);
                end = end < 0 ? sql.Length : end + 1;
                result.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                result.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
                result.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '@' && i + 1 < sql.Length && IsNameChar(sql[i + 1]))
            {
                var end = i + 1;
                while (end < sql.Length && IsNameChar(sql[end]))
                    end++;
                var name = sql.Substring(i + 1, end - i - 1);
                result.Append('@');
                if (names.Contains(name))
                    result.Append(prefix);
                result.Append(name);
                i = end;
            }
            else
            {
                result.Append(c);
                i++;
            }
        }

        return (result.ToString(), statements + (open ? 1 : 0));

        static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.';
    }

    /// <summary>Lets the lanes commit what waits, then closes their connections.</summary>
    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        if (_lanes is { } lanes)
            await Task.WhenAll(lanes);
        GC.SuppressFinalize(this);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Npgsql's own record of the connection's transaction (internal): "pending" until the first command after
    /// <c>BEGIN</c> goes out. Read through a compiled accessor; if a later Npgsql moves it, grouping turns itself off.
    /// </summary>
    static class PendingTransaction
    {
        static readonly Func<NpgsqlConnection, bool>? Accessor = Build();

        public static bool Available => Accessor is not null;

        public static bool Is(NpgsqlConnection connection) => Accessor?.Invoke(connection) ?? false;

        static Func<NpgsqlConnection, bool>? Build()
        {
            try
            {
                const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
                var connector = typeof(NpgsqlConnection).GetProperty("Connector", flags);
                var status = connector?.PropertyType.GetProperty("TransactionStatus", flags);
                if (connector is null || status is null || !status.PropertyType.IsEnum)
                    return null;
                var pending = Enum.Parse(status.PropertyType, "Pending");

                var parameter = Expression.Parameter(typeof(NpgsqlConnection), "connection");
                var connectorValue = Expression.Variable(connector.PropertyType, "connector");
                var body = Expression.Block([connectorValue],
                    Expression.Assign(connectorValue, Expression.Property(parameter, connector)),
                    Expression.AndAlso(
                        Expression.NotEqual(connectorValue, Expression.Constant(null, connector.PropertyType)),
                        Expression.Equal(Expression.Property(connectorValue, status), Expression.Constant(pending, status.PropertyType))));
                return Expression.Lambda<Func<NpgsqlConnection, bool>>(body, parameter).Compile();
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or AmbiguousMatchException)
            {
                return null;
            }
        }
    }
}
