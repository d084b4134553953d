using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Testing;

/// <summary>
/// Waits until the system under test has nothing left to do, so that a test can then count what happened, including
/// what must not have happened: no outbox unit left to send, no message in a queue, no message being received.
/// Each of those is a place a message could still come from; when all are empty twice in a row, nothing more arrives.
/// </summary>
public static class Quiescence
{
    /// <summary>Null when idle; otherwise what is still busy, for the failure message.</summary>
    public delegate Task<string?> Probe();

    public static async Task WaitUntilQuiet(IEnumerable<Probe> probes, TimeSpan? timeout = null)
    {
        var all = probes.ToList();
        var quietRounds = 0;
        await Eventually.Returns(async () =>
            {
                string? busy = null;
                foreach (var probe in all)
                {
                    busy = await probe();
                    if (busy is not null)
                        break;
                }

                // Twice in a row: a message between the broker's queue and the consumer's first callback shows up in one of them.
                quietRounds = busy is null ? quietRounds + 1 : 0;
                return busy;
            }, _ => quietRounds == 2, "the system to become quiet", timeout ?? TimeSpan.FromSeconds(60), busy => busy ?? "quiet once");
    }

    public static Task WaitUntilQuiet(params Probe[] probes) => WaitUntilQuiet(probes, null);

    /// <summary>No message left in the outbox of the database <paramref name="createDbContext"/> opens.</summary>
    public static Probe OutboxEmpty(Func<DbContext> createDbContext, string name = "outbox") => async () =>
    {
        await using var db = createDbContext();
        var rows = await db.Set<OutboxMessage>().CountAsync();
        return rows == 0 ? null : $"{rows} message(s) in the {name}";
    };

    /// <summary>No message left in the outbox of a service's own <typeparamref name="TDbContext"/>.</summary>
    public static Probe OutboxEmpty<TDbContext>(IServiceProvider services, string name = "outbox") where TDbContext : DbContext => async () =>
    {
        await using var scope = services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<TDbContext>().Set<OutboxMessage>().CountAsync();
        return rows == 0 ? null : $"{rows} message(s) in the {name}";
    };

    /// <summary>No message being received by <paramref name="bus"/> (see <see cref="ReceiveActivity"/>).</summary>
    public static Probe NothingReceiving(ReceiveActivity activity) => () =>
        Task.FromResult(activity.InFlight == 0 ? null : $"{activity.InFlight} message(s) being received");
}

/// <summary>
/// The messages a bus is receiving right now; connect it with <c>bus.ConnectReceiveObserver</c>. Tracked by receive,
/// so a receive that began before the observer was connected, or one that reports both a fault and its end, cannot
/// unbalance the count.
/// </summary>
public sealed class ReceiveActivity : IReceiveObserver
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<ReceiveContext, byte> _receiving = new();

    public int InFlight => _receiving.Count;

    public Task PreReceive(ReceiveContext context)
    {
        _receiving.TryAdd(context, 0);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        _receiving.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        _receiving.TryRemove(context, out _);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;
}
