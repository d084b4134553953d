using System.Collections.Concurrent;

namespace Shop.Testing;

/// <summary>Messages an observer consumer saw, with waits that fail with a count instead of hanging.</summary>
public class MessageLog
{
    readonly ConcurrentQueue<object> _messages = new();

    public void Add(object message) => _messages.Enqueue(message);

    public IReadOnlyList<T> All<T>(Func<T, bool>? match = null) => _messages.OfType<T>().Where(m => match?.Invoke(m) ?? true).ToList();

    public async Task<IReadOnlyList<T>> WaitFor<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null)
    {
        // Generous: a wait that succeeds ends at once, and the suite must hold on a machine with both cores busy
        // (an SQS pass at a load average of 90 once took longer than 30 s to deliver one message).
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var matching = All(match);
            if (matching.Count >= count)
                return matching;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Expected {count} {typeof(T).Name} message(s), saw {matching.Count}.");
            await Task.Delay(50);
        }
    }
}
