using System.Diagnostics;
using System.Linq.Expressions;
using MassTransit;

namespace Shop.Messaging;

/// <summary>
/// Times every consumed message for <see cref="MessagingMetrics"/>, and names on the current span the message's type
/// (<c>shop.message.type</c>) and the order or image it is about (<c>shop.order.id</c>, <c>shop.image.id</c>), so a
/// reader of a trace sees which order each step served and can search the dashboard by it.
/// </summary>
public sealed class ConsumeTelemetryObserver(MessagingMetrics metrics) : IConsumeObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (metrics.ProcessDurationObserved)
            context.GetOrAddPayload(() => new ConsumeStarted(Stopwatch.GetTimestamp()));
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("shop.message.type", typeof(T).Name);
            if (Ids<T>.OrderId?.Invoke(context.Message) is { } orderId)
                activity.SetTag("shop.order.id", orderId.ToString("D"));
            if (Ids<T>.ImageId?.Invoke(context.Message) is { } imageId)
                activity.SetTag("shop.image.id", imageId.ToString("D"));
        }
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Record(context, null);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        Record(context, exception);
        return Task.CompletedTask;
    }

    void Record<T>(ConsumeContext<T> context, Exception? exception) where T : class
    {
        // Without a listener there is no start time to find: the payload lookup (a lock and a miss) is skipped.
        if (metrics.ProcessDurationObserved && context.TryGetPayload<ConsumeStarted>(out var started) && context.ReceiveContext.InputAddress is { } input)
            metrics.Processed(input, typeof(T).Name, Stopwatch.GetElapsedTime(started.Timestamp), exception);
    }

    sealed record ConsumeStarted(long Timestamp);

    /// <summary>Compiled once per message type: the <c>OrderId</c> / <c>ImageId</c> property if it has one.</summary>
    static class Ids<T>
    {
        public static readonly Func<T, Guid?>? OrderId = Property("OrderId");
        public static readonly Func<T, Guid?>? ImageId = Property("ImageId");

        static Func<T, Guid?>? Property(string name)
        {
            var property = typeof(T).GetProperty(name);
            if (property is null || (property.PropertyType != typeof(Guid) && property.PropertyType != typeof(Guid?)))
                return null;
            var message = Expression.Parameter(typeof(T));
            return Expression.Lambda<Func<T, Guid?>>(Expression.Convert(Expression.Property(message, property), typeof(Guid?)), message).Compile();
        }
    }
}
