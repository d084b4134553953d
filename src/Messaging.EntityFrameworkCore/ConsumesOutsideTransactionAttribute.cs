namespace Shop.Messaging.EntityFrameworkCore;

/// <summary>
/// For a consumer that waits on something outside its database (a payment gateway, a slow decoder): it runs without
/// a database transaction, so no connection is held while it waits. Its own <c>SaveChanges</c> calls commit at once
/// (record an attempt before the call, as a ledger would); what it publishes or sends, its last changes and the inbox
/// row commit together when it returns. The inbox still keeps a redelivered message from running it again once it
/// has committed, and a concurrent duplicate's messages never go out, but two concurrent deliveries may both run it
/// up to that commit: the external call must be idempotent (an idempotency key, as payment providers take).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConsumesOutsideTransactionAttribute : Attribute;
