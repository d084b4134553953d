using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Benchmarks;

/// <summary>
/// Counts, per place where work starts (an HTTP request, a receive endpoint, or the background services), what one
/// unit of it cost: database round trips (Npgsql's own command spans, so hand-written commands count too, plus EF Core's
/// commits and rollbacks), transactions committed through EF Core, outbox units written through EF Core (the store writes a
/// consume's own units by hand: PostgreSQL's counters per database count those), outbox messages, messages sent to the broker,
/// log lines written, and the wall time of the handler. Work is attributed by the span it runs under
/// (<see cref="Activity.Current"/>): MassTransit's "process" span of a receive endpoint, ASP.NET Core's request span,
/// and none for the delivery service and the batched deletes, which start from hosted services. Listening to these
/// spans costs processor time itself, so a breakdown runs apart from the timed figures.
/// </summary>
public sealed class CostBreakdown : IDisposable, IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    public const string Request = "HTTP POST /orders";
    public const string Background = "background (delivery, deletes)";

    readonly ConcurrentDictionary<string, Place> _places = new();
    readonly List<IDisposable> _subscriptions = [];
    ActivityListener? _listener;
    IDisposable? _diagnostics;
    volatile bool _counting;

    /// <summary>A logger provider that counts the lines the hosts' filters let through, by the place they were written in.</summary>
    public ILoggerProvider Logs => new CountingLoggerProvider(this);

    /// <summary>Starts listening: until then no span is created for these sources (unless something else listens).</summary>
    public void Start()
    {
        _places.Clear();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MassTransit" or "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
        _diagnostics = DiagnosticListener.AllListeners.Subscribe(this);
        _counting = true;
    }

    public IReadOnlyDictionary<string, Place> Stop()
    {
        _counting = false;
        Unsubscribe();
        return _places.ToDictionary();
    }

    void Unsubscribe()
    {
        _listener?.Dispose();
        _diagnostics?.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    void Stopped(Activity activity)
    {
        if (!_counting)
            return;

        switch (activity.Source.Name)
        {
            case "Npgsql":
                var at = PlaceOf(activity.Parent);
                Interlocked.Increment(ref at.RoundTrips);
                at.Statements.AddOrUpdate(Shorten(activity.GetTagItem("db.query.text") as string ?? activity.DisplayName), 1, (_, n) => n + 1);
                break;
            // "outbox send" is a message written to the outbox; the others go to the broker.
            case "MassTransit" when activity.Kind == ActivityKind.Producer && activity.DisplayName == "outbox send":
                Interlocked.Increment(ref PlaceOf(activity.Parent).OutboxMessages);
                break;
            case "MassTransit" when activity.Kind == ActivityKind.Producer:
                Interlocked.Increment(ref PlaceOf(activity.Parent).Sent);
                break;
            case "MassTransit" when IsReceive(activity):
                var place = PlaceOf(activity);
                Interlocked.Increment(ref place.Units);
                Interlocked.Add(ref place.HandlerTicks, activity.Duration.Ticks);
                break;
            case "Microsoft.AspNetCore" when activity.Parent is null:
                var request = PlaceOf(activity);
                Interlocked.Increment(ref request.Units);
                Interlocked.Add(ref request.HandlerTicks, activity.Duration.Ticks);
                break;
        }
    }

    /// <summary>A statement's first words per statement of a batch, enough to tell them apart: "INSERT INTO inbox_state; SELECT … FROM order_state".</summary>
    static string Shorten(string sql) =>
        string.Join("; ", sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(statement =>
        {
            var words = statement.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var table = Array.FindIndex(words, w => w is "INTO" or "FROM" or "UPDATE");
            var head = string.Join(' ', words.Take(Math.Min(2, words.Length)));
            return table >= 0 && table + 1 < words.Length ? $"{words[0]} {words[table]} {words[table + 1]}" : head;
        }));

    // The receive span covers the whole delivery: the store's transaction runs around the consumer's "process" span,
    // and the sends right after the commit come after it.
    static bool IsReceive(Activity activity) =>
        activity.Source.Name == "MassTransit" && activity.Kind == ActivityKind.Consumer && activity.DisplayName.EndsWith(" receive", StringComparison.Ordinal);

    Place PlaceOf(Activity? activity)
    {
        var name = Background;
        for (var current = activity; current is not null; current = current.Parent)
        {
            if (IsReceive(current))
            {
                name = current.DisplayName[..^" receive".Length];
                break;
            }

            if (current.Source.Name == "Microsoft.AspNetCore" && current.Parent is null)
            {
                name = Request;
                break;
            }
        }

        return _places.GetOrAdd(name, _ => new Place());
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
                _subscriptions.Add(listener.Subscribe(this, name =>
                    name == CoreEventId.SaveChangesStarting.Name || name == RelationalEventId.TransactionCommitted.Name ||
                    name == RelationalEventId.TransactionRolledBack.Name));
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (!_counting)
            return;

        var place = PlaceOf(Activity.Current);
        if (value.Key == RelationalEventId.TransactionCommitted.Name)
        {
            Interlocked.Increment(ref place.Commits);
            Interlocked.Increment(ref place.RoundTrips);
        }
        else if (value.Key == RelationalEventId.TransactionRolledBack.Name)
        {
            Interlocked.Increment(ref place.RoundTrips);
        }
        else if (value.Value is DbContextEventData { Context: { } db })
        {
            var units = db.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.OutboxId).Distinct().Count();
            Interlocked.Add(ref place.OutboxUnitsWritten, units);
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }

    public void Dispose() => Unsubscribe();

    /// <summary>Totals of one place; <see cref="Units"/> is what the others are divided by (messages handled, requests served).</summary>
    public sealed class Place
    {
        public long Units;
        public long HandlerTicks;
        public long RoundTrips;
        public long Commits;
        public long OutboxUnitsWritten;
        public long Sent;
        public long OutboxMessages;
        public readonly ConcurrentDictionary<string, long> Statements = new();
        public long LogLines;
        public readonly ConcurrentDictionary<string, long> LogCategories = new();
    }

    sealed class CountingLoggerProvider(CostBreakdown breakdown) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CountingLogger(breakdown, categoryName);
        public void Dispose() { }
    }

    sealed class CountingLogger(CostBreakdown breakdown, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!breakdown._counting)
                return;
            var place = breakdown.PlaceOf(Activity.Current);
            Interlocked.Increment(ref place.LogLines);
            place.LogCategories.AddOrUpdate($"{logLevel} {category}", 1, (_, n) => n + 1);
        }
    }
}
