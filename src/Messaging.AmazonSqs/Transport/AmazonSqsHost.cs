using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Shop.Messaging.AmazonSqs.Transport.Configuration;

namespace Shop.Messaging.AmazonSqs.Transport;

public sealed class AmazonSqsHost(AmazonSqsHostConfiguration hostConfiguration, IBusTopology busTopology)
    : BaseHost(hostConfiguration, busTopology), IHost<IAmazonSqsReceiveEndpointConfigurator>
{
    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition,
        IEndpointNameFormatter? endpointNameFormatter, Action<IReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        return ConnectReceiveEndpoint(queueName, configurator =>
        {
            hostConfiguration.ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        LogContext.SetCurrentIfNull(hostConfiguration.LogContext);

        var configuration = (AmazonSqsReceiveEndpointConfiguration)hostConfiguration.CreateReceiveEndpointConfiguration(queueName, configureEndpoint);
        configuration.Validate().ThrowIfContainsFailure("The receive endpoint configuration is invalid:");
        configuration.Build(this);

        return ReceiveEndpoints.Start(queueName);
    }

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(definition, endpointNameFormatter, configurator => configureEndpoint?.Invoke((IAmazonSqsReceiveEndpointConfigurator)configurator));

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(queueName, configurator => configureEndpoint?.Invoke((IAmazonSqsReceiveEndpointConfigurator)configurator));

    protected override void Probe(ProbeContext context)
    {
        context.Add("type", "AmazonSqs");
        context.Add("baseAddress", hostConfiguration.HostAddress);
    }

    protected override IAgent[] GetAgentHandles() => [hostConfiguration.Transport];
}

public sealed class AmazonSqsBusTopology(IHostConfiguration hostConfiguration, ITopologyConfiguration topology)
    : BusTopology(hostConfiguration, topology);
