using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// Hand-written writes that join the durable store's commit instead of costing a round trip of their own, for a
/// consumer whose write needs no answer (an update it would otherwise read a row for).
/// </summary>
public static class DeferredWrites
{
    /// <summary>
    /// Queues <paramref name="sql"/> to run after the consume's last save and before its commit, in the same batch where
    /// the provider allows it (PostgreSQL), so it commits or fails with everything else the consume wrote. False, and
    /// nothing queued, outside a consume of the durable store: the caller writes the usual way. The statement is the
    /// caller's, in the provider's dialect; its arguments become parameters.
    /// </summary>
    public static bool TryDeferToCommit(this DbContext db, FormattableString sql)
    {
        if (!CommitWithLastBatch.EndsWithSave(db))
            return false;
        CommitWithLastBatch.Defer(db, sql.Format, sql.GetArguments());
        return true;
    }
}
