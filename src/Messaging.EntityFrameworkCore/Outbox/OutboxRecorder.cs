using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Outbox;

/// <summary>
/// Turns sends and publishes into outbox rows (one per message) tracked by a <see cref="DbContext"/>, so they are written by the
/// same <c>SaveChanges</c> and transaction as the caller's own changes (or, held, by hand in the last save's batch:
/// <see cref="DeferHeld"/>). Immediate messages of one unit of work share
/// one outbox (delivered together, in order); every scheduled message gets an outbox of its own, due at its time.
/// With an <paramref name="afterCommitLease"/>, immediate outboxes are the writer's to send right after the commit,
/// and delivery rounds leave them alone until the lease ends.
/// </summary>
sealed class OutboxRecorder(DbContext db, TimeProvider time, TimeSpan? afterCommitLease, bool hold = false)
{
    const string TransportDelayProperty = "Delay";

    readonly Lock _lock = new();
    readonly List<OutboxUnit> _immediate = [];
    readonly List<OutboxMessage> _held = [];
    readonly List<OutboxUnit> _deferred = [];
    readonly List<OutboxMessage> _handedOver = [];
    bool _hold = hold;
    OutboxUnit? _current;

    /// <summary>True once a message was recorded since the last <see cref="Reset"/>.</summary>
    public bool HasMessages { get; private set; }

    /// <summary>True once a message due later (a schedule) was recorded: only the delivery service sends those.</summary>
    public bool HasScheduledMessages => EarliestScheduled is not null;

    /// <summary>When the earliest schedule recorded since the last <see cref="Reset"/> is due.</summary>
    public DateTime? EarliestScheduled { get; private set; }

    /// <summary>
    /// True when a schedule is due before <paramref name="time"/>: the delivery service needs waking only for what its
    /// next poll would find late. A timeout a minute away is found by a poll like any other.
    /// </summary>
    public bool HasScheduledBefore(DateTime time) => EarliestScheduled is { } due && due < time;

    /// <summary>The units of messages due at once, in the order they were started.</summary>
    public IReadOnlyList<OutboxUnit> ImmediateUnits => _immediate;

    public Task Add<T>(SendContext<T> context) where T : class
    {
        if (context.MessageId is not { } messageId)
            throw new MessageException(typeof(T), "The outbox needs a MessageId on every message it stores.");

        var now = time.GetUtcNow().UtcDateTime;
        var body = context.Serializer.GetMessageBody(context).GetString();

        lock (_lock)
        {
            OutboxUnit outbox;
            if (context.Delay is { } delay && delay > TimeSpan.Zero)
            {
                outbox = new OutboxUnit
                {
                    OutboxId = NewId.NextGuid(),
                    Created = now,
                    DueTime = now + delay,
                    ScheduleTokenId = context.ScheduledMessageId
                };
                if (EarliestScheduled is not { } earliest || outbox.DueTime < earliest)
                    EarliestScheduled = outbox.DueTime;
            }
            else
            {
                // Once saved, the current outbox is final: later messages of the scope start a new one.
                if (_current is null || (!_hold && db.Entry(_current.Messages[0]).State != EntityState.Added))
                {
                    _current = new OutboxUnit
                    {
                        OutboxId = NewId.NextGuid(),
                        Created = now,
                        DueTime = afterCommitLease is { } lease ? now + lease : now,
                        SentAfterCommit = afterCommitLease is not null
                    };
                    _immediate.Add(_current);
                }

                outbox = _current;
            }

            var message = new OutboxMessage
            {
                MessageId = messageId,
                ConversationId = context.ConversationId,
                CorrelationId = context.CorrelationId,
                InitiatorId = context.InitiatorId,
                RequestId = context.RequestId,
                SourceAddress = context.SourceAddress,
                DestinationAddress = context.DestinationAddress,
                ResponseAddress = context.ResponseAddress,
                FaultAddress = context.FaultAddress,
                SentTime = context.SentTime ?? now,
                ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
                ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
                MessageType = string.Join(";", context.SupportedMessageTypes),
                Body = body,
                Headers = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(context.Headers.GetAll())
            };

            if (context is TransportSendContext<T> transportContext)
            {
                var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
                transportContext.WritePropertiesTo(properties);

                // The delay is served by the outbox's due time; handed to the broker it would ask for a delayed
                // exchange, which RabbitMQ without its plugin does not have.
                properties.Remove(TransportDelayProperty);

                if (properties.Count > 0)
                    message.Properties = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(properties);
            }

            Track(outbox.Add(message));
            HasMessages = true;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// With <c>hold</c>, rows are kept out of the context until this call: a consumer running outside a transaction
    /// may save its own changes meanwhile, and its messages must commit only with the inbox row.
    /// </summary>
    public void Attach()
    {
        lock (_lock)
        {
            _hold = false;
            foreach (var row in _held)
                db.Add(row);
            _held.Clear();
        }
    }

    /// <summary>
    /// Hands the held rows to the transaction's last save as hand-written inserts (see
    /// <see cref="CommitWithLastBatch.Defer"/>) instead of tracked entities: change tracking, the save's ordering of
    /// dependent rows and its command building were a fifth of the process's time per durable message. The units
    /// count as written once that save has run (<see cref="Written"/>).
    /// </summary>
    /// <param name="leaseEnds">The after-commit lease of the units, which runs from this commit.</param>
    public void DeferHeld(DurableStoreDialect dialect, DateTime? leaseEnds)
    {
        lock (_lock)
        {
            _hold = false;
            // Rows a failed save was handed go to the next one; a save that ran (Written) keeps them.
            _held.InsertRange(0, _handedOver);
            _handedOver.Clear();
            _deferred.Clear();
            var table = dialect.TableName<OutboxMessage>(db);
            foreach (var message in _held)
            {
                var unit = message.Unit!;
                if (!_deferred.Contains(unit))
                {
                    if (unit.SentAfterCommit && leaseEnds is { } end)
                        unit.DueTime = end;
                    _deferred.Add(unit);
                }

                CommitWithLastBatch.Defer(db,
                    $"INSERT INTO {table} (outbox_id, sequence_number, created, due_time, schedule_token_id, attempts, message_id, content_type, " +
                    "message_type, body, headers, properties, conversation_id, correlation_id, initiator_id, request_id, source_address, " +
                    "destination_address, response_address, fault_address, sent_time, expiration_time) VALUES ({0}, {1}, {2}, {3}, {4}, {5}, " +
                    "{6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14}, {15}, {16}, {17}, {18}, {19}, {20}, {21})",
                    message.OutboxId, message.SequenceNumber, message.Created, message.DueTime, message.ScheduleTokenId, message.Attempts,
                    message.MessageId, message.ContentType, message.MessageType, message.Body, message.Headers, message.Properties,
                    message.ConversationId, message.CorrelationId, message.InitiatorId, message.RequestId, message.SourceAddress?.ToString(),
                    message.DestinationAddress?.ToString(), message.ResponseAddress?.ToString(), message.FaultAddress?.ToString(),
                    message.SentTime, message.ExpirationTime);
            }

            _handedOver.AddRange(_held);
            _held.Clear();
        }
    }

    /// <summary>The save that carried the rows of <see cref="DeferHeld"/> ran: they are in the transaction.</summary>
    public void Written()
    {
        lock (_lock)
        {
            foreach (var unit in _deferred)
                unit.Persisted = true;
            _deferred.Clear();
            _handedOver.Clear();
        }
    }

    /// <summary>Drops a schedule recorded in this unit of work and not written yet; true when there was one.</summary>
    public bool ForgetHeldSchedule(Guid tokenId)
    {
        lock (_lock)
        {
            return _held.RemoveAll(message => message.ScheduleTokenId == tokenId) > 0;
        }
    }

    void Track(OutboxMessage message)
    {
        if (_hold)
            _held.Add(message);
        else
            db.Add(message);
    }

    public void Reset()
    {
        lock (_lock)
        {
            _current = null;
            _immediate.Clear();
            HasMessages = false;
            EarliestScheduled = null;
        }
    }
}
