using MassTransit;
using MassTransit.Transports;
using Shop.Messaging.AmazonSqs.Transport.Configuration;

namespace Shop.Messaging.AmazonSqs.Transport;

public sealed class AmazonSqsReceiveEndpointContext : BaseReceiveEndpointContext
{
    readonly AmazonSqsHostConfiguration _hostConfiguration;

    public AmazonSqsReceiveEndpointContext(AmazonSqsHostConfiguration hostConfiguration,
        AmazonSqsReceiveEndpointConfiguration configuration, IReadOnlyCollection<Type> consumedMessageTypes)
        : base(hostConfiguration, configuration)
    {
        _hostConfiguration = hostConfiguration;
        QueueName = configuration.QueueName;
        ConsumedMessageTypes = consumedMessageTypes;
        IsTemporary = configuration.IsBusEndpoint;
    }

    /// <summary>The bus endpoint: its queues are this process's own and are deleted when it stops.</summary>
    public bool IsTemporary { get; }

    public string QueueName { get; }

    /// <summary>The message types whose topics this endpoint's queue subscribes to.</summary>
    public IReadOnlyCollection<Type> ConsumedMessageTypes { get; }

    public AmazonSqsTransportContext Transport => _hostConfiguration.Transport;

    public AmazonSqsTransportOptions Options => _hostConfiguration.Options;

    public override void AddSendAgent(IAgent agent) => throw new NotSupportedException();

    public override void AddConsumeAgent(IAgent agent) => throw new NotSupportedException();

    public override Exception ConvertException(Exception exception, string message) => exception;

    protected override ISendTransportProvider CreateSendTransportProvider() =>
        new AmazonSqsTransportProvider(_hostConfiguration, this);

    protected override IPublishTransportProvider CreatePublishTransportProvider() =>
        new AmazonSqsTransportProvider(_hostConfiguration, this);
}

/// <summary>Turns addresses into send transports: a queue address sends with SQS, a topic address publishes with SNS.</summary>
public sealed class AmazonSqsTransportProvider(AmazonSqsHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    : ISendTransportProvider, IPublishTransportProvider
{
    public Uri NormalizeAddress(Uri address) => AmazonSqsEndpointAddress.Parse(address).ToUri(hostConfiguration.HostAddress);

    public Task<ISendTransport> GetSendTransport(Uri address) =>
        Task.FromResult<ISendTransport>(new SendTransport<PipeContext>(
            new AmazonSqsSendTransportContext(hostConfiguration, context, AmazonSqsEndpointAddress.Parse(address))));

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress) where T : class =>
        GetSendTransport(publishAddress ?? throw new ArgumentNullException(nameof(publishAddress)));
}
