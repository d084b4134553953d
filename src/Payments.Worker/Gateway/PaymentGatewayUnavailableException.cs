using Shop.Messaging;

namespace Shop.Payments.Worker.Gateway;

/// <summary>The provider could not answer this time (outage, overload, network); asking again may succeed.</summary>
public sealed class PaymentGatewayUnavailableException(string message) : TransientException(message);
