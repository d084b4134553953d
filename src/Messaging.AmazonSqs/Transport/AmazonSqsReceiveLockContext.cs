using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Shop.Messaging.AmazonSqs.Topology;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Holds one received message while it is processed: extends its visibility at half the visibility timeout so a long
/// consumer keeps it (up to <see cref="AmazonSqsTransportOptions.MaxVisibilityExtension"/>), deletes it on success
/// and makes it visible again on a transport-level fault, later with every receive so a poisoned dependency does not
/// spin, until <see cref="AmazonSqsTransportOptions.MaxReceiveCount"/> receives move it to the error queue. A lost
/// receipt (the message came back and was received again) is logged, not thrown: the inbox makes the other delivery
/// harmless.
/// </summary>
public sealed partial class AmazonSqsReceiveLockContext : ReceiveLockContext, IAsyncDisposable
{
    static readonly TimeSpan MaxFaultBackoff = TimeSpan.FromMinutes(5);

    readonly AmazonSqsTransportContext _transport;
    readonly string _queueUrl;
    readonly Message _message;
    readonly SqsQueue? _errorQueue;
    readonly bool _settledBySource;
    readonly DateTime _extendUntil;
    readonly TimeSpan _visibilityTimeout;
    readonly ITimer _firstExtension;
    CancellationTokenSource? _stopRenewal;
    Task _renewal = Task.CompletedTask;
    int _settled;

    /// <param name="settledBySource">
    /// The message was received by someone else (a Lambda event source), who deletes or returns it: only the outcome
    /// is recorded (<see cref="Completed"/>); nothing is deleted, released, moved or extended here.
    /// </param>
    /// <param name="visibilityTimeout">The queue's own (it may have been created by another service); null: the configured one.</param>
    public AmazonSqsReceiveLockContext(AmazonSqsTransportContext transport, string queueUrl, Message message, SqsQueue? errorQueue = null,
        bool settledBySource = false, TimeSpan? visibilityTimeout = null)
    {
        _visibilityTimeout = visibilityTimeout is { } own && own > TimeSpan.Zero ? own : transport.Options.VisibilityTimeout;
        _transport = transport;
        _queueUrl = queueUrl;
        _message = message;
        _errorQueue = errorQueue;
        _settledBySource = settledBySource;
        _extendUntil = DateTime.UtcNow + transport.Options.MaxVisibilityExtension;
        // Most messages are done long before their first extension is due: a timer costs them far less than a task
        // waiting from the start, and the renewal loop only begins for those still in progress.
        _firstExtension = TimeProvider.System.CreateTimer(static state => ((AmazonSqsReceiveLockContext)state!).StartRenewal(), this,
            settledBySource ? Timeout.InfiniteTimeSpan : _visibilityTimeout / 2, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True once the message is done with (consumed, or moved to an error or skipped queue by the pipeline).</summary>
    public bool Completed { get; private set; }

    public bool Lost { get; private set; }

    public int ReceiveCount => AmazonSqsReceiveContext.ReceiveCountOf(_message);

    /// <summary>
    /// Queues the delete for the next batch without waiting for it, so the message's slot takes the next message while
    /// the delete travels; the transport flushes queued deletes when it stops. A delete that fails leaves the message to
    /// reappear after its visibility timeout, and the inbox makes that delivery harmless.
    /// </summary>
    public async Task Complete()
    {
        if (!await SettleAsync()) return;
        Completed = true;
        if (_settledBySource) return;
        _ = DeleteAsync();
    }

    async Task DeleteAsync()
    {
        try
        {
            await _transport.Deleter(_queueUrl).DeleteAsync(_message.ReceiptHandle);
        }
        catch (Exception e) when (IsLostReceipt(e))
        {
            LogLostReceipt(_transport.Logger, _message.MessageId, e.Message);
        }
        catch (Exception e)
        {
            LogDeleteFailed(_transport.Logger, _message.MessageId, e.Message);
        }
    }

    public async Task Faulted(Exception exception)
    {
        if (!await SettleAsync() || _settledBySource) return;
        if (await MoveWhenExhausted(exception)) return;
        var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, ReceiveCount - 1), MaxFaultBackoff.TotalSeconds));
        await ReleaseAsync(backoff);
    }

    /// <summary>
    /// A poison message must not cycle through the queue forever: at the last allowed receive it goes to the error queue
    /// as it arrived, with the fault's headers, and is deleted. If that move fails, it is released as any other fault.
    /// </summary>
    async Task<bool> MoveWhenExhausted(Exception exception)
    {
        var max = _transport.Options.MaxReceiveCount;
        if (_errorQueue is null || max <= 0 || ReceiveCount < max)
            return false;

        try
        {
            var received = SqsTransportHeaders.FromAttributes(
                _message.MessageAttributes?.Select(a => new KeyValuePair<string, string>(a.Key, a.Value.StringValue ?? "")) ?? []);
            await AmazonSqsMoveTransport.Move(_transport, _errorQueue, _message, received,
            [
                new(MessageHeaders.FaultExceptionType, exception.GetType().FullName ?? exception.GetType().Name),
                new(MessageHeaders.FaultMessage, exception.Message),
                new(MessageHeaders.Reason, $"transport fault on receive {ReceiveCount} (MaxReceiveCount {max})")
            ]);
            await DeleteAsync();
            LogMovedToError(_transport.Logger, _message.MessageId, ReceiveCount, _errorQueue.Name, exception.Message);
            return true;
        }
        catch (Exception e)
        {
            LogMoveFailed(_transport.Logger, _message.MessageId, e.Message);
            return false;
        }
    }

    /// <summary>Gives the message back to the queue, e.g. when the endpoint stops before it was processed.</summary>
    public async Task ReleaseAsync(TimeSpan after)
    {
        await SettleAsync();
        if (_settledBySource) return;
        try
        {
            await _transport.Sqs.ChangeMessageVisibilityAsync(_queueUrl, _message.ReceiptHandle, (int)after.TotalSeconds);
        }
        catch (Exception e)
        {
            // Not releasing is safe: the message reappears when its visibility timeout lapses.
            LogReleaseFailed(_transport.Logger, _message.MessageId, e.Message);
        }
    }

    public Task ValidateLockStatus() =>
        Lost ? throw new TransportException(new Uri("amazonsqs://" + _message.MessageId), "The message's receipt was lost; it will be delivered again.")
            : Task.CompletedTask;

    async Task<bool> SettleAsync()
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1) return false;
        // Completes once a callback in progress has finished; none starts afterwards.
        await _firstExtension.DisposeAsync();
        if (Volatile.Read(ref _stopRenewal) is { } stop)
        {
            await stop.CancelAsync();
            await _renewal;
            stop.Dispose();
        }

        return true;
    }

    void StartRenewal()
    {
        var stop = new CancellationTokenSource();
        _renewal = RenewAsync(stop.Token);
        Volatile.Write(ref _stopRenewal, stop);
    }

    async Task RenewAsync(CancellationToken stop)
    {
        var timeout = _visibilityTimeout;
        while (true)
        {
            try
            {
                if (DateTime.UtcNow >= _extendUntil)
                {
                    LogExtensionCapped(_transport.Logger, _message.MessageId, _transport.Options.MaxVisibilityExtension);
                    return;
                }

                await _transport.Sqs.ChangeMessageVisibilityAsync(_queueUrl, _message.ReceiptHandle,
                    (int)Math.Ceiling(timeout.TotalSeconds), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsLostReceipt(e))
            {
                Lost = true;
                LogLostReceipt(_transport.Logger, _message.MessageId, e.Message);
                return;
            }
            catch (Exception e)
            {
                // A failed extension is tried again at the next interval; the visibility left covers the gap.
                LogExtensionFailed(_transport.Logger, _message.MessageId, e.Message);
            }

            try
            {
                await Task.Delay(timeout / 2, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    static bool IsLostReceipt(Exception e) =>
        e is ReceiptHandleIsInvalidException or MessageNotInflightException
        || e is SqsBatchEntryException { Code: "ReceiptHandleIsInvalid" or "MessageNotInflight" or "InvalidParameterValue" }
        || e is AmazonSQSException { ErrorCode: "InvalidParameterValue" or "ReceiptHandleIsInvalid" };

    public async ValueTask DisposeAsync()
    {
        await SettleAsync();
    }

    [LoggerMessage(LogLevel.Error, "SQS message {MessageId}: moved to {ErrorQueue} after {ReceiveCount} receives that faulted in the transport ({Reason})")]
    static partial void LogMovedToError(ILogger logger, string messageId, int receiveCount, string errorQueue, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: moving it to the error queue failed ({Reason}); it is released and tried again")]
    static partial void LogMoveFailed(ILogger logger, string messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: its receipt is no longer valid ({Reason}); it will be received again and the inbox makes that harmless")]
    static partial void LogLostReceipt(ILogger logger, string messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: still in progress after {Limit}; no longer extending its visibility")]
    static partial void LogExtensionCapped(ILogger logger, string messageId, TimeSpan limit);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: extending its visibility failed ({Reason})")]
    static partial void LogExtensionFailed(ILogger logger, string messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: deleting it failed ({Reason}); it reappears after its visibility timeout")]
    static partial void LogDeleteFailed(ILogger logger, string messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: giving it back to the queue failed ({Reason}); it reappears after its visibility timeout")]
    static partial void LogReleaseFailed(ILogger logger, string messageId, string reason);
}
