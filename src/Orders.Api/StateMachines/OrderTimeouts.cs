namespace Shop.Orders.Api.StateMachines;

/// <summary>Scheduled by the saga to itself when it starts waiting for stock.</summary>
public sealed record StockReservationTimedOut(Guid OrderId);

/// <summary>Scheduled by the saga to itself when it starts waiting for the payment.</summary>
public sealed record PaymentTimedOut(Guid OrderId);
