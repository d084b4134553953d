using System.Collections.Concurrent;

namespace Shop.Testing;

/// <summary>Messages an observer consumer saw, with waits that wake on each new message and fail with a count instead of hanging.</summary>
public class MessageLog
{
    readonly ConcurrentQueue<object> _messages = new();
    TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(object message)
    {
        _messages.Enqueue(message);
        Interlocked.Exchange(ref _added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public IReadOnlyList<T> All<T>(Func<T, bool>? match = null) => _messages.OfType<T>().Where(m => match?.Invoke(m) ?? true).ToList();

    /// <summary>Completes when the next message is added.</summary>
    public Task Added() => Volatile.Read(ref _added).Task;

    // Generous: a wait that succeeds ends at once, and the suite must hold on a machine with both cores busy
    // (an SQS pass at a load average of 90 once took longer than 30 s to deliver one message).
    public Task<IReadOnlyList<T>> WaitFor<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Returns(() => Task.FromResult(All(match)), matching => matching.Count >= count,
            $"{count} {typeof(T).Name} message(s)", timeout ?? TimeSpan.FromSeconds(90), matching => $"{matching.Count} of them", Added);
}
