using MassTransit;

namespace Shop.Messaging.AmazonSqs.Transport.Configuration;

/// <summary>A receive endpoint on SQS; endpoint settings beyond MassTransit's common ones come from the transport options.</summary>
public interface IAmazonSqsReceiveEndpointConfigurator : IReceiveEndpointConfigurator;
