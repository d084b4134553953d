namespace Shop.Payments.Worker.Consumers;

/// <summary>A command no retry can fix: it goes to the error queue with a <c>Fault</c>.</summary>
public sealed class InvalidPaymentRequestException(string message) : Exception(message);
