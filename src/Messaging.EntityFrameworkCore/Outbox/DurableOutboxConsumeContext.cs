using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// The consume context a consumer sees inside the durable store's transaction: its sends and publishes become
/// outbox rows of that transaction. They are sent after the commit by the context factory (or, failing that, by the
/// delivery service), which is why the context reports the outbox as delivered once the transaction has committed.
/// </summary>
sealed class DurableOutboxConsumeContext<TMessage> : OutboxConsumeContextProxy<TMessage>, IDurableOutboxTransaction
    where TMessage : class
{
    readonly OutboxRecorder _recorder;
    readonly Func<Task> _setConsumed;

    /// <param name="setConsumed">
    /// What marking the message consumed means: inside the transaction, its last save and commit; for a consumer that
    /// runs outside a transaction (<paramref name="inTransaction"/> false), the short transaction that writes its messages.
    /// </param>
    public DurableOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        DbContext db, OutboxRecorder recorder, Func<Task> setConsumed, bool alreadyConsumed, bool inTransaction = true)
        : base(context, options, provider)
    {
        Db = db;
        _recorder = recorder;
        _setConsumed = setConsumed;
        IsMessageConsumed = alreadyConsumed;
        IsOutboxDelivered = alreadyConsumed;
        IsTransactionActive = inTransaction;
    }

    public DbContext Db { get; }

    /// <summary>False once the transaction is over; a scheduler asked for after that writes on its own.</summary>
    public bool IsTransactionActive { get; private set; } = true;

    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed { get; }
    public override bool IsOutboxDelivered { get; }
    public override int ReceiveCount => 1;
    public override long? LastSequenceNumber => null;

    public bool HasOutgoingMessages => _recorder.HasMessages;

    public override Task SetConsumed() => _setConsumed();

    public override Task SetDelivered() => Task.CompletedTask;

    // MassTransit's pipe never delivers them: after commit they belong to the store's own delivery.
    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;

    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override Task AddSend<T>(SendContext<T> context) => _recorder.Add(context);

    public void Complete() => IsTransactionActive = false;

    public bool ForgetHeldSchedule(Guid tokenId) => _recorder.ForgetHeldSchedule(tokenId);
}

/// <summary>Lets the scheduler and the saga repository recognise an open durable-store transaction.</summary>
interface IDurableOutboxTransaction
{
    DbContext Db { get; }
    bool IsTransactionActive { get; }

    /// <summary>Drops a schedule this unit of work recorded and has not written yet.</summary>
    bool ForgetHeldSchedule(Guid tokenId);
}
