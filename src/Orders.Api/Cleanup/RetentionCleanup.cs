using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.BlobStorage;
using Shop.ProductImages;
using Shop.ProductImages.Domain;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Orders.Api.Persistence;

namespace Shop.Orders.Api.Cleanup;

/// <summary>One pass over what expires: idempotency keys, direct uploads that never arrived, large message bodies.</summary>
public sealed class RetentionCleanup(OrdersDbContext db, IBlobStorage blobs, IOptions<CleanupOptions> options,
    IOptions<ProductImageOptions> images, TimeProvider time, ILogger<RetentionCleanup> logger)
{
    const int BatchSize = 500;

    public sealed record Result(int IdempotencyKeys, int ExpiredUploads, int ClaimChecks);

    public async Task<Result> RunOnce(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();

        var keysBefore = (now - settings.IdempotencyKeyLifetime).UtcDateTime;
        var keys = await db.IdempotencyKeys.Where(k => k.CreatedAt < keysBefore).ExecuteDeleteAsync(cancellationToken);

        var uploads = await ExpireUploads(now - images.Value.DirectUploadUrlLifetime - settings.UploadGracePeriod, now, cancellationToken);
        var bodies = await ClaimCheck.DeleteExpiredAsync(blobs, now - settings.ClaimCheckLifetime, cancellationToken);

        if (keys + uploads + bodies > 0)
            logger.LogInformation("Cleanup: {IdempotencyKeys} idempotency key(s), {Uploads} upload(s) that never arrived, {ClaimChecks} message body blob(s)",
                keys, uploads, bodies);
        return new Result(keys, uploads, bodies);
    }

    async Task<int> ExpireUploads(DateTimeOffset createdBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = 0;
        while (true)
        {
            // The age is compared here, not in SQL: SQLite (the standalone mode) cannot compare DateTimeOffset columns.
            var waiting = (await db.Set<ProductImage>().Where(i => i.Status == ProductImageStatus.AwaitingUpload).ToListAsync(cancellationToken))
                .Where(i => i.CreatedAt < createdBefore).Take(BatchSize).ToList();
            if (waiting.Count == 0)
                return expired;

            foreach (var image in waiting)
            {
                // A form may still be used after its row expired: DirectUploadStored then deletes what arrives.
                if (image.UploadExpired(now))
                    await blobs.DeleteAsync(image.OriginalBlobKey, cancellationToken);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The upload arrived meanwhile (its consumer won the row): leave it to the next pass.
                db.ChangeTracker.Clear();
                return expired;
            }

            db.ChangeTracker.Clear();
            expired += waiting.Count;
        }
    }
}
