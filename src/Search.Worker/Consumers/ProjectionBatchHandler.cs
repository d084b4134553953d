using MassTransit;
using Shop.ReadModel.Archive;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Storage;

namespace Shop.Search.Worker.Consumers;

/// <summary>
/// What every projection consumer does with its batch: archive it (first, so that whatever the read model shows can be
/// rebuilt from the archive), then apply it with one bulk write.
/// </summary>
public sealed class ProjectionBatchHandler(EventArchive archive, ReadModelProjector projector, IReadModelWriter store, TimeProvider time,
    ILogger<ProjectionBatchHandler> logger)
{
    public Task Handle<T>(ConsumeContext<Batch<T>> context) where T : class =>
        Handle(context, message => message);

    public async Task Handle<T>(ConsumeContext<Batch<T>> context, Func<T, object> toEvent) where T : class
    {
        var now = time.GetUtcNow().UtcDateTime;
        var events = context.Message
            .Select(message => new ProjectedEvent(message.MessageId ?? NewId.NextGuid(), message.SentTime ?? now, toEvent(message.Message)))
            .ToList();

        var key = await archive.WriteAsync(events, context.CancellationToken);
        var result = await projector.ProjectAsync(store, events, context.CancellationToken);

        logger.LogDebug("Batch of {Count} {MessageType} archived as {BlobKey}: {Applied} applied, {Written} documents written",
            events.Count, typeof(T).Name, key, result.Applied, result.Written);
        foreach (var rejected in result.Rejected)
            logger.LogError("The read model refused {Kind} {DocumentId} (batch {BlobKey}): {Reason}", rejected.Kind, rejected.Id, key, rejected.Reason);
    }
}
