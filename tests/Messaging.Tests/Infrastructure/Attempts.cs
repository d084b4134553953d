using System.Collections.Concurrent;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>Counts attempts per key, so a consumer can fail a set number of times and tests can see how often it ran.</summary>
public sealed class Attempts
{
    readonly ConcurrentDictionary<string, int> _counts = new();

    public int Next(string key) => _counts.AddOrUpdate(key, 1, (_, count) => count + 1);

    public int Of(string key) => _counts.GetValueOrDefault(key);
}
