using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Wakes the delivery service right after a commit that wrote outbox rows, so outbox lag is the time of one
/// query and one send rather than a polling interval. A wake-up that arrives while the service is busy is kept,
/// not lost.
/// </summary>
public class OutboxDeliverySignal : IBusOutboxNotification
{
    readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        try
        {
            if (_pending.CurrentCount == 0)
                _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one pending wake-up covers any number of commits.
        }
    }

    /// <summary>Returns true when woken, false when the timeout passed.</summary>
    public Task<bool> Wait(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);

    Task IBusOutboxNotification.WaitForDelivery(CancellationToken cancellationToken) => _pending.WaitAsync(cancellationToken);

    void IBusOutboxNotification.Delivered() => Notify();
}

/// <summary>The signal of one store: in a host with several, a commit wakes the delivery service of its own database.</summary>
public sealed class OutboxDeliverySignal<TDbContext> : OutboxDeliverySignal
    where TDbContext : DbContext;
