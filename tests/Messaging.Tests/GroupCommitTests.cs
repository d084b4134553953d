using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.Messaging.EntityFrameworkCore.Storage;
using Shop.Messaging.Tests.Components;
using Shop.Messaging.Tests.Infrastructure;
using Shop.Testing;
using Xunit;

namespace Shop.Messaging.Tests;

/// <summary>
/// Consumes whose whole transaction is their last batch commit together, several in one transaction and one round
/// trip (<see cref="GroupCommit"/>). Each test holds the consumers' table locked so that one consume blocks the only
/// lane and the others queue behind it: what commits together is then decided, not left to timing.
/// </summary>
public sealed class When_consumes_commit_in_groups(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    static readonly Dictionary<string, string?> OneLane = new()
    {
        ["Messaging:PrefetchCount"] = "16",
        ["Messaging:DurableStore:GroupCommitLanes"] = "1",
    };

    [Fact]
    public async Task Should_commit_the_consumes_that_waited_in_one_group_each_once()
    {
        await using var host = await ShopTestHost.Start(environment, OneLane);
        var group = host.Services.GetRequiredService<GroupCommit<TestDbContext>>();
        var keys = Enumerable.Range(0, 8).Select(i => $"grouped-{Guid.NewGuid():N}-{i}").ToList();
        using var sizes = GroupSizes(host.Services.GetRequiredService<IMeterFactory>());

        await using (var blocker = await LockKeyedEffects())
        {
            await Task.WhenAll(keys.Select(key => host.Bus.Publish(new RecordKeyedAtCommit(key))));
            await AllAtTheirCommit(group, keys.Count);
        }

        foreach (var key in keys)
            await host.Observed.WaitFor<Echoed>(e => e.Key == key, timeout: TimeSpan.FromSeconds(20));
        await host.WaitUntilQuiet();

        // The lane took k of the eight before it blocked and the other 8 - k after: only a lone one on either side
        // commits alone, and one side holds at least four.
        Assert.True(group.GroupedCommits >= 7, $"{group.GroupedCommits} consumes committed in groups");
        Assert.Contains(sizes.Recorded, size => size >= 4);
        Assert.Equal(keys.Count, sizes.Recorded.Sum());
        foreach (var key in keys)
        {
            Assert.Equal(1, await CountKeyed(key));
            Assert.Single(host.Observed.All<Echoed>(e => e.Key == key));
        }
    }

    [Fact]
    public async Task Should_fail_only_the_duplicate_when_a_group_holds_two_copies_of_a_message()
    {
        await using var host = await ShopTestHost.Start(environment, OneLane);
        var group = host.Services.GetRequiredService<GroupCommit<TestDbContext>>();
        var copyId = NewId.NextGuid();
        var copied = $"copied-{Guid.NewGuid():N}";
        var others = Enumerable.Range(0, 3).Select(i => $"beside-copies-{Guid.NewGuid():N}-{i}").ToList();

        await using (var blocker = await LockKeyedEffects())
        {
            await Task.WhenAll(others.Select(key => host.Bus.Publish(new RecordKeyedAtCommit(key)))
                .Concat(Enumerable.Range(0, 2).Select(_ => host.Bus.Publish(new RecordKeyedAtCommit(copied), c => c.MessageId = copyId))));
            await AllAtTheirCommit(group, others.Count + 2);
        }

        await Eventually.Returns(() => environment.ReceiveCount(copyId), n => n == 2, "the inbox to count the second copy");
        foreach (var key in others)
            await host.Observed.WaitFor<Echoed>(e => e.Key == key, timeout: TimeSpan.FromSeconds(20));
        await host.WaitUntilQuiet();

        Assert.Equal(1, await CountKeyed(copied));
        Assert.Single(host.Observed.All<Echoed>(e => e.Key == copied));
        foreach (var key in others)
            Assert.Equal(1, await CountKeyed(key));
        Assert.Empty(host.Observed.All<Fault<RecordKeyedAtCommit>>());
    }

    [Fact]
    public async Task Should_keep_a_consume_that_wrote_before_its_last_save_in_its_own_transaction()
    {
        await using var host = await ShopTestHost.Start(environment);
        var key = $"wrote-first-{Guid.NewGuid():N}";

        await host.Bus.Publish(new RecordKeyedAtCommit(key, WriteFirst: true));

        await host.Observed.WaitFor<Echoed>(e => e.Key == key, timeout: TimeSpan.FromSeconds(20));
        await host.WaitUntilQuiet();
        Assert.Equal(1, await CountKeyed(key));
        Assert.Equal(1, await CountKeyed(key + "-first"));
    }

    [Fact]
    public void Should_rename_placeholders_only_outside_quotes_and_comments()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "p0", "d0_1" };

        var (renamed, statements) = GroupCommit.Rename(
            "INSERT INTO \"t@p0;\" (a, b) VALUES (@p0, @d0_1); -- @p0;\nSELECT ';@p0', @p1 /* @d0_1; */, @P0;\n;  CALL x(@p0)", names, "g7_");

        Assert.Equal(
            "INSERT INTO \"t@p0;\" (a, b) VALUES (@g7_p0, @g7_d0_1); -- @p0;\nSELECT ';@p0', @p1 /* @d0_1; */, @g7_P0;\n;  CALL x(@g7_p0)", renamed);
        Assert.Equal(3, statements);
    }

    /// <summary>
    /// Waits until every one of <paramref name="consumes"/> has reached its commit: the blocked lane holds some, the
    /// rest wait for it (how many the lane took first depends on how they arrived).
    /// </summary>
    static Task AllAtTheirCommit(GroupCommit group, int consumes) =>
        Eventually.Returns(() => Task.FromResult(group.Waiting + group.InLanes), n => n == consumes,
            $"all {consumes} consumes to reach their commit behind the blocked lane");

    /// <summary>The <c>shop.commit_group.size</c> measurements of one host's meters (other tests' hosts run meanwhile).</summary>
    static Recorder GroupSizes(IMeterFactory meters)
    {
        var recorder = new Recorder();
        recorder.Listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "shop.commit_group.size" && ReferenceEquals(instrument.Meter.Scope, meters))
                listener.EnableMeasurementEvents(instrument);
        };
        recorder.Listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            lock (recorder.Recorded)
                recorder.Recorded.Add(value);
        });
        recorder.Listener.Start();
        return recorder;
    }

    sealed class Recorder : IDisposable
    {
        public MeterListener Listener { get; } = new();
        public List<int> Recorded { get; } = [];
        public void Dispose() => Listener.Dispose();
    }

    async Task<int> CountKeyed(string key)
    {
        await using var db = environment.CreateDbContext();
        return await db.KeyedEffects.CountAsync(e => e.Key == key);
    }

    /// <summary>Holds <c>keyed_effects</c> locked against inserts until disposed (its transaction then commits).</summary>
    async Task<IAsyncDisposable> LockKeyedEffects()
    {
        var connection = new NpgsqlConnection(environment.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE keyed_effects IN EXCLUSIVE MODE", connection, transaction))
            await command.ExecuteNonQueryAsync();
        return new Unlock(connection, transaction);
    }

    sealed class Unlock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        }
    }
}
