using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Storage;

/// <summary>
/// A consume's inbox claim, left for the saga repository to send in one command with the instance's locking load: a
/// saga step's first work is that load, so the claim's round trip of its own was one of three per step. The
/// repository takes it before it runs anything and reports the outcome (a duplicate runs nothing); the outbox claims
/// by itself if nothing took it by the time it commits. One per consume scope.
/// </summary>
sealed class DeferredInboxClaim<TDbContext> where TDbContext : DbContext
{
    InboxClaim.Request? _request;

    /// <summary>The claim's outcome once sent; null before.</summary>
    public InboxClaim.Outcome? Outcome { get; private set; }

    public void Defer(InboxClaim.Request request)
    {
        _request = request;
        Outcome = null;
    }

    /// <summary>A claim waits to be sent.</summary>
    public bool Waiting => _request is not null;

    /// <summary>The claim to send, if one waits: the caller sends it before anything else and reports with <see cref="Claimed"/>.</summary>
    public InboxClaim.Request? Take()
    {
        var request = _request;
        _request = null;
        return request;
    }

    public void Claimed(InboxClaim.Outcome outcome) => Outcome = outcome;

    /// <summary>The outcome, claiming now if the claim still waits.</summary>
    public async Task<InboxClaim.Outcome> Resolve(DbContext db, DurableStoreDialect dialect, CancellationToken cancellationToken)
    {
        if (Outcome is { } outcome)
            return outcome;
        var request = Take() ?? throw new InvalidOperationException("No inbox claim was deferred in this scope.");
        return (Outcome = await InboxClaim.Claim(db, dialect, request, cancellationToken)).Value;
    }
}
