using System.Net.Mime;
using MassTransit;

namespace Shop.Messaging;

/// <summary>
/// Messages from producers that are not MassTransit: a body of content type <c>application/json</c> holding the message
/// alone, beside the MassTransit envelope. The type comes from the <c>MT-MessageType</c> header (a message URN,
/// <c>urn:message:Shop.Contracts.Orders:OrderSubmitted</c>); without it, only an endpoint that consumes a single message
/// type can tell what the body is, so anywhere else such a message faults (to the <c>_error</c> queue, saying why)
/// instead of being read as every type the endpoint consumes. A <c>MessageId</c> header is required too: the inbox
/// makes a redelivery a no-op by that id.
/// </summary>
public static class PlainJsonMessages
{
    public const string ContentType = "application/json";

    /// <summary>Reads plain JSON on every endpoint of the bus; what the bus sends stays enveloped.</summary>
    public static void AcceptPlainJson(this IBusFactoryConfigurator bus) =>
        bus.UseRawJsonDeserializer(RawSerializerOptions.Default, isDefault: false);

    /// <summary>Refuses plain JSON without a type on an endpoint that consumes several.</summary>
    public static void RequirePlainJsonType(this IReceiveEndpointConfigurator endpoint, string endpointName)
    {
        var consumed = new ConsumedMessageTypes();
        endpoint.ConnectConsumerConfigurationObserver(consumed);
        endpoint.ConnectSagaConfigurationObserver(consumed);
        endpoint.ConnectHandlerConfigurationObserver(consumed);
        endpoint.UseFilter(new PlainJsonTypeFilter(endpointName, consumed));
    }

    static bool IsPlainJson(ContentType? contentType) =>
        contentType is not null && contentType.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase);

    sealed class PlainJsonTypeFilter(string endpointName, ConsumedMessageTypes consumed) : IFilter<ConsumeContext>
    {
        public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
        {
            if (!IsPlainJson(context.ReceiveContext.ContentType))
                return next.Send(context);

            // The inbox dedupes by message id; a plain body has none of its own, so the producer must give one.
            if (context.MessageId is null)
            {
                throw new PlainJsonMessageException(
                    $"A plain JSON message on '{endpointName}' needs a {MessageHeaders.MessageId} header (a UUID, the same on every retry of the send).");
            }

            if (consumed.Types.Count > 1 && context.ReceiveContext.TransportHeaders.GetMessageTypes().Length == 0)
            {
                throw new PlainJsonMessageException(
                    $"A plain JSON message on '{endpointName}' must say its type in the {MessageHeaders.MessageType} header: this endpoint " +
                    $"consumes {string.Join(", ", consumed.Types.Select(MessageUrn.ForTypeString).Order(StringComparer.Ordinal))}.");
            }

            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("plainJsonType");
    }

    /// <summary>The message types an endpoint's consumers, sagas and handlers consume, as they are configured.</summary>
    sealed class ConsumedMessageTypes : IConsumerConfigurationObserver, ISagaConfigurationObserver, IHandlerConfigurationObserver
    {
        readonly HashSet<Type> _types = [];

        public IReadOnlyCollection<Type> Types => _types;

        public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator) where TConsumer : class
        {
        }

        public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
            where TConsumer : class where TMessage : class => _types.Add(typeof(TMessage));

        public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator) where TSaga : class, ISaga
        {
        }

        public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
            where TInstance : class, ISaga, SagaStateMachineInstance
        {
        }

        public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
            where TSaga : class, ISaga where TMessage : class => _types.Add(typeof(TMessage));

        public void HandlerConfigured<TMessage>(IHandlerConfigurator<TMessage> configurator) where TMessage : class => _types.Add(typeof(TMessage));
    }
}

/// <summary>A plain JSON message without a message id, or that does not say which of its endpoint's message types it is.</summary>
public sealed class PlainJsonMessageException(string message) : Exception(message);
