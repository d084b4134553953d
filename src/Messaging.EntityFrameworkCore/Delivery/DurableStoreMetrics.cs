using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Outbox backlog and age, delivery outcomes and inbox duplicates, on the <c>Shop.Messaging</c> meter. The backlog
/// gauges report what <see cref="OutboxBacklogMonitor{TDbContext}"/> last counted, per store (one per service; several
/// in the standalone host), tagged <c>shop.outbox.store</c>.
/// </summary>
public sealed class DurableStoreMetrics : IDisposable
{
    readonly Meter _meter;
    readonly Counter<long> _duplicates;
    readonly Counter<long> _delivered;
    readonly Counter<long> _deliveryFailures;
    readonly Histogram<double> _lag;
    readonly Histogram<int> _groupSize;
    readonly Counter<long> _groupFailures;
    readonly ObservableGauge<long> _pending;
    readonly ObservableGauge<double> _oldestAge;
    readonly ConcurrentDictionary<string, Backlog> _backlogs = new();

    public DurableStoreMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(ShopMessagingDiagnostics.MeterName);
        _duplicates = _meter.CreateCounter<long>("shop.inbox.duplicates", "{message}", "Redelivered messages recognised by the inbox and not consumed again");
        _delivered = _meter.CreateCounter<long>("shop.outbox.delivered", "{message}", "Messages sent from the outbox to the transport");
        _deliveryFailures = _meter.CreateCounter<long>("shop.outbox.delivery.failures", "{unit}", "Outbox units whose delivery failed and was rescheduled");
        _lag = _meter.CreateHistogram<double>("shop.outbox.delivery.lag", "s", "Time from an outbox unit becoming due to its messages being sent",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _groupSize = _meter.CreateHistogram<int>("shop.commit_group.size", "{consume}",
            "Consumes committed by one command of a commit group's lane (1: a consume that found a lane free)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32] });
        _groupFailures = _meter.CreateCounter<long>("shop.commit_group.failures", "{group}",
            "Groups of consumes that failed together and ran again one consume at a time");
        _pending = _meter.CreateObservableGauge("shop.outbox.pending", () => Measure(b => b.Units), "{unit}",
            "Outbox units due and not yet delivered (including those waiting after a failed send)");
        _oldestAge = _meter.CreateObservableGauge("shop.outbox.pending.oldest_age", () => Measure(b => b.OldestAge.TotalSeconds), "s",
            "Age of the oldest undelivered outbox unit");
    }

    /// <summary>True while an exporter or listener collects the backlog gauges: only then is the backlog counted.</summary>
    public bool BacklogObserved => _pending.Enabled || _oldestAge.Enabled;

    public Backlog? BacklogOf(string store) => _backlogs.TryGetValue(store, out var backlog) ? backlog : null;

    public void DuplicateDetected(string consumerType) =>
        _duplicates.Add(1, new KeyValuePair<string, object?>("consumer", consumerType));

    public void Delivered(int messages, TimeSpan lag)
    {
        _delivered.Add(messages);
        _lag.Record(lag.TotalSeconds);
    }

    public void DeliveryFailed() => _deliveryFailures.Add(1);

    public void GroupCommitted(int consumes) => _groupSize.Record(consumes);

    public void GroupFailed() => _groupFailures.Add(1);

    public void Backlogged(string store, long units, TimeSpan oldestAge) => _backlogs[store] = new Backlog(units, oldestAge);

    IEnumerable<Measurement<T>> Measure<T>(Func<Backlog, T> value) where T : struct =>
        _backlogs.Select(pair => new Measurement<T>(value(pair.Value), new KeyValuePair<string, object?>("shop.outbox.store", pair.Key)));

    public void Dispose() => _meter.Dispose();

    public sealed record Backlog(long Units, TimeSpan OldestAge);
}
