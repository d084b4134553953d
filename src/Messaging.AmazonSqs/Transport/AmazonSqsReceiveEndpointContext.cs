using MassTransit;
using MassTransit.Transports;
using Shop.Messaging.AmazonSqs.Transport.Configuration;

namespace Shop.Messaging.AmazonSqs.Transport;

public sealed class AmazonSqsReceiveEndpointContext : BaseReceiveEndpointContext
{
    readonly AmazonSqsHostConfiguration _hostConfiguration;

    public AmazonSqsReceiveEndpointContext(AmazonSqsHostConfiguration hostConfiguration,
        AmazonSqsReceiveEndpointConfiguration configuration, IReadOnlyDictionary<Type, string> consumedMessageTypes)
        : base(hostConfiguration, configuration)
    {
        _hostConfiguration = hostConfiguration;
        QueueName = configuration.QueueName;
        EntityName = configuration.EntityName;
        ConsumedMessageTypes = consumedMessageTypes;
        IsTemporary = configuration.IsBusEndpoint;
    }

    /// <summary>The bus endpoint: its queues are this process's own and are deleted when it stops.</summary>
    public bool IsTemporary { get; }

    /// <summary>The endpoint's name, as MassTransit knows it (without the prefix).</summary>
    public string QueueName { get; }

    /// <summary>The SQS queue's name: the prefix and the endpoint name, as in the input address.</summary>
    public string EntityName { get; }

    /// <summary>The message types this endpoint's queue subscribes to, each with its topic's full name.</summary>
    public IReadOnlyDictionary<Type, string> ConsumedMessageTypes { get; }

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
    public Uri NormalizeAddress(Uri address) =>
        AmazonSqsEndpointAddress.Parse(address, hostConfiguration.Names).ToUri(hostConfiguration.HostAddress);

    public Task<ISendTransport> GetSendTransport(Uri address) =>
        Task.FromResult<ISendTransport>(new SendTransport<PipeContext>(
            new AmazonSqsSendTransportContext(hostConfiguration, context, AmazonSqsEndpointAddress.Parse(address, hostConfiguration.Names))));

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress) where T : class =>
        GetSendTransport(publishAddress ?? throw new ArgumentNullException(nameof(publishAddress)));
}
