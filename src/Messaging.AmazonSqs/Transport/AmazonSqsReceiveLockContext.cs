using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Holds one received message while it is processed: extends its visibility at half the visibility timeout so a long
/// consumer keeps it (up to <see cref="AmazonSqsTransportOptions.MaxVisibilityExtension"/>), deletes it on success
/// and makes it visible again on a transport-level fault, later with every receive so a poisoned dependency does not
/// spin. A lost receipt (the message came back and was received again) is logged, not thrown: the inbox makes the
/// other delivery harmless.
/// </summary>
public sealed partial class AmazonSqsReceiveLockContext : ReceiveLockContext, IAsyncDisposable
{
    static readonly TimeSpan MaxFaultBackoff = TimeSpan.FromMinutes(5);

    readonly AmazonSqsTransportContext _transport;
    readonly string _queueUrl;
    readonly Message _message;
    readonly CancellationTokenSource _stop = new();
    readonly Task _renewal;
    int _settled;

    public AmazonSqsReceiveLockContext(AmazonSqsTransportContext transport, string queueUrl, Message message)
    {
        _transport = transport;
        _queueUrl = queueUrl;
        _message = message;
        _renewal = Task.Run(RenewAsync);
    }

    public bool Lost { get; private set; }

    public int ReceiveCount =>
        _message.Attributes?.TryGetValue("ApproximateReceiveCount", out var count) == true && int.TryParse(count, out var n) ? n : 1;

    public async Task Complete()
    {
        if (!await SettleAsync()) return;
        try
        {
            await _transport.Deleter(_queueUrl).DeleteAsync(_message.ReceiptHandle);
        }
        catch (Exception e) when (IsLostReceipt(e))
        {
            LogLostReceipt(_transport.Logger, _message.MessageId, e.Message);
        }
    }

    public async Task Faulted(Exception exception)
    {
        if (!await SettleAsync()) return;
        var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, ReceiveCount - 1), MaxFaultBackoff.TotalSeconds));
        await ReleaseAsync(backoff);
    }

    /// <summary>Gives the message back to the queue, e.g. when the endpoint stops before it was processed.</summary>
    public async Task ReleaseAsync(TimeSpan after)
    {
        await SettleAsync();
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
        await _stop.CancelAsync();
        await _renewal;
        return true;
    }

    async Task RenewAsync()
    {
        var timeout = _transport.Options.VisibilityTimeout;
        var interval = timeout / 2;
        var deadline = DateTime.UtcNow + _transport.Options.MaxVisibilityExtension;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _stop.Token);
                if (DateTime.UtcNow >= deadline)
                {
                    LogExtensionCapped(_transport.Logger, _message.MessageId, _transport.Options.MaxVisibilityExtension);
                    return;
                }

                await _transport.Sqs.ChangeMessageVisibilityAsync(_queueUrl, _message.ReceiptHandle,
                    (int)Math.Ceiling(timeout.TotalSeconds), _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
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
        }
    }

    static bool IsLostReceipt(Exception e) =>
        e is ReceiptHandleIsInvalidException or MessageNotInflightException
        || e is SqsBatchEntryException { Code: "ReceiptHandleIsInvalid" or "MessageNotInflight" or "InvalidParameterValue" }
        || e is AmazonSQSException { ErrorCode: "InvalidParameterValue" or "ReceiptHandleIsInvalid" };

    public async ValueTask DisposeAsync()
    {
        await SettleAsync();
        _stop.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: its receipt is no longer valid ({Reason}); it will be received again and the inbox makes that harmless")]
    static partial void LogLostReceipt(ILogger logger, string messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: still in progress after {Limit}; no longer extending its visibility")]
    static partial void LogExtensionCapped(ILogger logger, string messageId, TimeSpan limit);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: extending its visibility failed ({Reason})")]
    static partial void LogExtensionFailed(ILogger logger, string messageId, string reason);

    [LoggerMessage(LogLevel.Warning, "SQS message {MessageId}: giving it back to the queue failed ({Reason}); it reappears after its visibility timeout")]
    static partial void LogReleaseFailed(ILogger logger, string messageId, string reason);
}
