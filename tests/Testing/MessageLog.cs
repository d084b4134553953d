using System.Collections.Concurrent;
using MassTransit;

namespace Shop.Testing;

/// <summary>
/// What a test host's observer consumers saw, with waits that wake on each new message and fail with a count instead
/// of hanging. A message recorded with its <see cref="ConsumeContext{T}"/> is kept as a <see cref="Received{T}"/>
/// (id, headers, arrival time) and is found both as <c>T</c> and as <c>Received&lt;T&gt;</c>.
/// </summary>
public class MessageLog
{
    readonly ConcurrentQueue<object> _messages = new();
    TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(object message)
    {
        _messages.Enqueue(message);
        Interlocked.Exchange(ref _added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Records the message with what its context says about it; its arrival time is taken now.</summary>
    public void Add<T>(ConsumeContext<T> context) where T : class =>
        Add(new Received<T>(context.Message, context.MessageId, context.CorrelationId, DateTime.UtcNow, context.Headers,
            context.ReceiveContext.TransportHeaders));

    public IReadOnlyList<T> All<T>(Func<T, bool>? match = null) => Of<T>().Where(m => match?.Invoke(m) ?? true).ToList();

    /// <summary>The messages of <typeparamref name="T"/> recorded with their context.</summary>
    public IReadOnlyList<Received<T>> AllReceived<T>(Func<T, bool>? match = null) where T : class => All<Received<T>>(r => match?.Invoke(r.Message) ?? true);

    /// <summary>Completes when the next message is added.</summary>
    public Task Added() => Volatile.Read(ref _added).Task;

    // Generous: a wait that succeeds ends at once, and the suite must hold on a machine with both cores busy
    // (an SQS pass at a load average of 90 once took longer than 30 s to deliver one message).
    public Task<IReadOnlyList<T>> WaitFor<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null) =>
        Eventually.Returns(() => Task.FromResult(All(match)), matching => matching.Count >= count,
            $"{count} {typeof(T).Name} message(s)", timeout ?? TimeSpan.FromSeconds(90), matching => $"{matching.Count} of them", Added);

    /// <summary>As <see cref="WaitFor{T}"/>, with each message's context.</summary>
    public Task<IReadOnlyList<Received<T>>> WaitForReceived<T>(Func<T, bool> match, int count = 1, TimeSpan? timeout = null) where T : class =>
        WaitFor<Received<T>>(r => match(r.Message), count, timeout);

    IEnumerable<T> Of<T>()
    {
        foreach (var message in _messages)
        {
            if (message is T direct)
                yield return direct;
            else if (message is IReceived { Message: T inner })
                yield return inner;
        }
    }
}

interface IReceived
{
    object Message { get; }
}

/// <summary>A message as an observer consumer received it: its envelope's headers and those of the transport message.</summary>
public sealed record Received<T>(T Message, Guid? MessageId, Guid? CorrelationId, DateTime At, Headers Headers, Headers TransportHeaders)
    : IReceived where T : class
{
    object IReceived.Message => Message;
}

/// <summary>
/// Records every <typeparamref name="T"/> it receives in the host's <see cref="MessageLog"/>. Derive a named one
/// where a test needs the endpoint's name (<c>PingObserver : ObserverConsumer&lt;Ping&gt;</c> listens on ping-observer).
/// </summary>
public class ObserverConsumer<T>(MessageLog log) : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        log.Add(context);
        return Task.CompletedTask;
    }
}

public static class ObserverRegistration
{
    /// <summary>
    /// Registers <see cref="ObserverConsumer{T}"/> on an endpoint of its own named after the message
    /// (<c>Fault&lt;ProcessPayment&gt;</c> listens on fault-process-payment-observer): a generic consumer has no usable name of its own.
    /// </summary>
    public static void AddObserver<T>(this IBusRegistrationConfigurator bus) where T : class =>
        bus.AddConsumer<ObserverConsumer<T>>().Endpoint(e => e.Name = KebabCaseEndpointNameFormatter.Instance.SanitizeName(Name(typeof(T)) + "Observer"));

    static string Name(Type type) => type.IsGenericType
        ? type.Name[..type.Name.IndexOf('`')] + string.Concat(type.GetGenericArguments().Select(Name))
        : type.Name;
}
