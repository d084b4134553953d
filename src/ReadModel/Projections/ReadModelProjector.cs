using Microsoft.Extensions.Logging;
using Shop.ReadModel.Documents;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel.Projections;

/// <summary>
/// Applies a batch of events to the read model with one read and one bulk write: the documents the batch touches are
/// read by id, every event is applied in memory, and only the documents that changed are written. A conflict with
/// another writer (another instance, a rebuild) reads and applies the whole batch again: the projections converge, so
/// events applied twice do no harm.
/// </summary>
public sealed class ReadModelProjector(TimeProvider time, ILogger<ReadModelProjector> logger)
{
    public const int MaxConflictAttempts = 10;

    public async Task<ProjectionResult> ProjectAsync(IReadModelWriter store, IReadOnlyList<ProjectedEvent> events, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ProjectOnce(store, events, cancellationToken);
            }
            catch (ReadModelConflictException exception) when (attempt < MaxConflictAttempts)
            {
                logger.LogDebug(exception, "Read-model conflict on attempt {Attempt} of a batch of {Count}; applying it again", attempt, events.Count);
                // Batches that collide tend to collide again at once; a random pause lets one of them through first.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), time, cancellationToken);
            }
        }
    }

    async Task<ProjectionResult> ProjectOnce(IReadModelWriter store, IReadOnlyList<ProjectedEvent> events, CancellationToken cancellationToken)
    {
        var orderIds = events.Select(e => ReadModelEvents.OrderIdOf(e.Message)).OfType<Guid>().ToHashSet();
        var imageIds = events.Select(e => ReadModelEvents.ImageIdOf(e.Message)).OfType<Guid>().ToHashSet();
        var orders = orderIds.Count > 0 ? new Dictionary<Guid, OrderSummary>(await store.FindOrdersAsync(orderIds, cancellationToken)) : [];
        var images = imageIds.Count > 0 ? new Dictionary<Guid, ProductImageDocument>(await store.FindImagesAsync(imageIds, cancellationToken)) : [];

        var now = time.GetUtcNow().UtcDateTime;
        var changedOrders = new HashSet<OrderSummary>(ReferenceEqualityComparer.Instance);
        var changedImages = new HashSet<ProductImageDocument>(ReferenceEqualityComparer.Instance);
        var applied = 0;
        foreach (var evt in events)
        {
            if (ReadModelEvents.OrderIdOf(evt.Message) is { } orderId)
            {
                if (!orders.TryGetValue(orderId, out var order))
                    orders[orderId] = order = new OrderSummary { OrderId = orderId };
                if (OrderSummaryProjection.Apply(order, evt, now))
                {
                    changedOrders.Add(order);
                    applied++;
                }
            }
            else if (ReadModelEvents.ImageIdOf(evt.Message) is { } imageId)
            {
                if (!images.TryGetValue(imageId, out var image))
                    images[imageId] = image = new ProductImageDocument { ImageId = imageId };
                if (ProductImageProjection.Apply(image, evt, now))
                {
                    changedImages.Add(image);
                    applied++;
                }
            }
        }

        var rejected = changedOrders.Count + changedImages.Count > 0
            ? await store.WriteAsync(changedOrders, changedImages, cancellationToken)
            : [];
        return new ProjectionResult(events.Count, applied, changedOrders.Count + changedImages.Count - rejected.Count, rejected);
    }
}

/// <param name="Received">Events in the batch.</param>
/// <param name="Applied">Events that changed a document (the others were copies of events already applied).</param>
/// <param name="Written">Documents written.</param>
/// <param name="Rejected">Documents the store refused, with its reasons.</param>
public sealed record ProjectionResult(int Received, int Applied, int Written, IReadOnlyList<RejectedDocument> Rejected);
