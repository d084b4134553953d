using System.Collections.Concurrent;
using MassTransit;
using Shop.Testing;

namespace Shop.Messaging.Tests.Infrastructure;

public sealed record Received<T>(T Message, Guid? MessageId, DateTime At, Headers Headers);

/// <summary>What the test hosts' observer consumers saw, with waits that fail with a description instead of hanging.</summary>
public sealed class Observed
{
    readonly ConcurrentQueue<object> _received = new();
    TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add<T>(ConsumeContext<T> context) where T : class
    {
        _received.Enqueue(new Received<T>(context.Message, context.MessageId, DateTime.UtcNow, context.Headers));
        Interlocked.Exchange(ref _added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    Task Added() => Volatile.Read(ref _added).Task;

    public IReadOnlyList<Received<T>> All<T>(Func<T, bool>? match = null) =>
        _received.OfType<Received<T>>().Where(r => match?.Invoke(r.Message) ?? true).ToList();

    public Task<IReadOnlyList<Received<T>>> WaitFor<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Returns(() => Task.FromResult(All(match)), matching => matching.Count >= count, $"{count} {typeof(T).Name} message(s)",
            timeout, matching => $"{matching.Count} of them", Added);
}

/// <summary>Counts attempts per key, so a consumer can fail a set number of times and tests can see how often it ran.</summary>
public sealed class Attempts
{
    readonly ConcurrentDictionary<string, int> _counts = new();

    public int Next(string key) => _counts.AddOrUpdate(key, 1, (_, count) => count + 1);

    public int Of(string key) => _counts.GetValueOrDefault(key);
}
