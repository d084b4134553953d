using System.Collections.Concurrent;
using MassTransit;

namespace Shop.Orders.Tests.Infrastructure;

/// <summary>Messages the fake neighbour services saw, with waits that fail with a count instead of hanging.</summary>
public sealed class Observed
{
    readonly ConcurrentQueue<object> _messages = new();

    public void Add<T>(T message) where T : class => _messages.Enqueue(message);

    public IReadOnlyList<T> All<T>(Func<T, bool>? match = null) => _messages.OfType<T>().Where(m => match?.Invoke(m) ?? true).ToList();

    public async Task<IReadOnlyList<T>> WaitFor<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var matching = All(match);
            if (matching.Count >= count)
                return matching;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {count} {typeof(T).Name} message(s), saw {matching.Count}.");
            await Task.Delay(100);
        }
    }
}

/// <summary>Records every message of <typeparamref name="T"/> it receives.</summary>
public sealed class ObserverConsumer<T>(Observed observed) : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        observed.Add(context.Message);
        return Task.CompletedTask;
    }
}
