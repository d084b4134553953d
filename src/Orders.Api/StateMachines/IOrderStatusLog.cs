namespace Shop.Orders.Api.StateMachines;

/// <summary>Where the saga writes what the API shows: the order's status and its timeline.</summary>
public interface IOrderStatusLog
{
    Task Record(Guid orderId, string status, string? reason, DateTime at, CancellationToken cancellationToken);
}
