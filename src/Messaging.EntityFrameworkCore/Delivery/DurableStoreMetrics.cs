using System.Diagnostics.Metrics;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>Outbox backlog and age, delivery outcomes and inbox duplicates, on the <c>Shop.Messaging</c> meter.</summary>
public sealed class DurableStoreMetrics : IDisposable
{
    readonly Meter _meter;
    readonly Counter<long> _duplicates;
    readonly Counter<long> _delivered;
    readonly Counter<long> _deliveryFailures;
    readonly Histogram<double> _lag;
    long _backlog;
    double _oldestAgeSeconds;

    public DurableStoreMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(ShopMessagingDiagnostics.MeterName);
        _duplicates = _meter.CreateCounter<long>("shop.inbox.duplicates", "{message}", "Redelivered messages recognised by the inbox and not consumed again");
        _delivered = _meter.CreateCounter<long>("shop.outbox.delivered", "{message}", "Messages sent from the outbox to the transport");
        _deliveryFailures = _meter.CreateCounter<long>("shop.outbox.delivery_failures", "{outbox}", "Outbox deliveries that failed and were rescheduled");
        _lag = _meter.CreateHistogram<double>("shop.outbox.lag", "s", "Time from an outbox becoming due to its messages being sent");
        _meter.CreateObservableGauge("shop.outbox.backlog", () => Interlocked.Read(ref _backlog), "{outbox}", "Outboxes due and not yet delivered");
        _meter.CreateObservableGauge("shop.outbox.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds), "s", "Age of the oldest due outbox");
    }

    public long Backlog => Interlocked.Read(ref _backlog);
    public double OldestAgeSeconds => Volatile.Read(ref _oldestAgeSeconds);

    public void DuplicateDetected(string consumerType) =>
        _duplicates.Add(1, new KeyValuePair<string, object?>("consumer", consumerType));

    public void Delivered(int messages, TimeSpan lag)
    {
        _delivered.Add(messages);
        _lag.Record(lag.TotalSeconds);
    }

    public void DeliveryFailed() => _deliveryFailures.Add(1);

    public void Backlogged(long outboxes, TimeSpan oldestAge)
    {
        Interlocked.Exchange(ref _backlog, outboxes);
        Volatile.Write(ref _oldestAgeSeconds, oldestAge.TotalSeconds);
    }

    public void Dispose() => _meter.Dispose();
}
