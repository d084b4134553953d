using Microsoft.Extensions.Logging;
using Shop.ReadModel.Projections;
using Shop.ReadModel.Storage;

namespace Shop.ReadModel.Archive;

/// <summary>
/// Rebuilds the read model from the archive: replays every archived batch, oldest first, into a fresh store beside the
/// live one and swaps it in. Batches archived while the replay runs (live workers keep projecting) are replayed too:
/// the archive is listed again until a pass finds nothing new, just before the swap.
/// </summary>
public sealed class ReadModelRebuilder(IReadModelStore store, EventArchive archive, ReadModelProjector projector, TimeProvider time,
    ILogger<ReadModelRebuilder> logger)
{
    public const int DefaultBatchSize = 1000;

    public async Task<RebuildResult> RebuildAsync(int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var replayed = new HashSet<string>(StringComparer.Ordinal);
        var events = 0L;
        var rejected = 0;
        var batch = new List<ProjectedEvent>(batchSize);

        await using var rebuild = await store.BeginRebuildAsync(cancellationToken);
        while (true)
        {
            var fresh = new List<string>();
            await foreach (var key in archive.ListAsync(cancellationToken))
            {
                if (!replayed.Contains(key))
                    fresh.Add(key);
            }

            if (fresh.Count == 0)
                break;

            foreach (var key in fresh)
            {
                replayed.Add(key);
                await foreach (var evt in archive.ReadAsync(key, cancellationToken))
                {
                    batch.Add(evt);
                    if (batch.Count >= batchSize)
                        await Flush();
                }
            }
        }

        await Flush();
        await rebuild.SwapAsync(cancellationToken);

        var elapsed = time.GetElapsedTime(started);
        logger.LogInformation("Read model rebuilt from {Blobs} archived batches: {Events} events in {Elapsed}, {Rejected} documents refused",
            replayed.Count, events, elapsed, rejected);
        return new RebuildResult(replayed.Count, events, rejected, elapsed);

        async Task Flush()
        {
            if (batch.Count == 0)
                return;
            var result = await projector.ProjectAsync(rebuild, batch, cancellationToken);
            foreach (var refused in result.Rejected)
                logger.LogError("The rebuilt read model refused {Kind} {DocumentId}: {Reason}", refused.Kind, refused.Id, refused.Reason);
            events += batch.Count;
            rejected += result.Rejected.Count;
            batch.Clear();
        }
    }
}

public sealed record RebuildResult(int ArchivedBatches, long Events, int RejectedDocuments, TimeSpan Elapsed);
