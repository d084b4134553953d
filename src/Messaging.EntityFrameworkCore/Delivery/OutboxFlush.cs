using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>Sends everything the outbox holds that is due now, and returns when nothing due is left.</summary>
public interface IOutboxFlush
{
    Task FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// For hosts that freeze between requests (a Lambda function after its response): the background delivery service does
/// not run while frozen, so what it would have sent must be out before the response. It takes due rows exactly as one
/// more delivery instance would (row locks, skipping those another holds). Schedules not yet due stay where they are.
/// </summary>
public sealed class OutboxFlush<TDbContext>(IServiceProvider services) : IOutboxFlush
    where TDbContext : DbContext
{
    readonly OutboxDeliveryService<TDbContext> _rounds = ActivatorUtilities.CreateInstance<OutboxDeliveryService<TDbContext>>(services);

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var now = DateTime.UtcNow;
        while (true)
        {
            var round = await _rounds.DeliverDue(cancellationToken);
            if (!round.BatchWasFull && (round.NextDue is not { } next || next > now))
                return;
        }
    }
}
