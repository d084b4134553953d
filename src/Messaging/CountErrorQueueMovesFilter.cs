using MassTransit;

namespace Shop.Messaging;

/// <summary>Counts a message as it is moved to its endpoint's <c>_error</c> queue (placed just before MassTransit's error transport filter).</summary>
sealed class CountErrorQueueMovesFilter(MessagingMetrics metrics) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var messageType = context.TryGetPayload<ConsumeContext>(out var consumeContext)
            ? MessagingMetrics.ShortName(consumeContext.SupportedMessageTypes.FirstOrDefault())
            : "unknown";
        metrics.MovedToErrorQueue(context.InputAddress, messageType, context.Exception);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("countErrorQueueMoves");
}
