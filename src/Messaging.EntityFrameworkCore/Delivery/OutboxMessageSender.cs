using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Messaging.EntityFrameworkCore.Storage;

namespace Shop.Messaging.EntityFrameworkCore.Delivery;

/// <summary>
/// Hands one outbox unit's stored messages to the transport, one after another in sequence order, each with its
/// original MessageId and headers so that a consumer's inbox recognises a re-send.
/// </summary>
public sealed class OutboxMessageSender(IBus bus, IOptions<DurableStoreOptions> options, TimeProvider time, ILogger<OutboxMessageSender> logger)
{
    /// <summary>How many messages went out, and the error that stopped the rest (null when all went out).</summary>
    public async Task<(int Sent, Exception? Error)> Send(IEnumerable<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var sent = 0;
        try
        {
            foreach (var message in messages)
            {
                if (message.ExpirationTime is { } expires && expires < time.GetUtcNow().UtcDateTime)
                {
                    logger.LogWarning("Outbox message {MessageId} expired at {ExpirationTime} before it could be sent; dropped",
                        message.MessageId, expires);
                    sent++;
                    continue;
                }

                message.Hydrate(SystemTextJsonMessageSerializer.Instance);
                var destination = message.DestinationAddress
                    ?? throw new InvalidOperationException($"Outbox message {message.MessageId} has no destination address.");

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.SendTimeout);

                var endpoint = await bus.GetSendEndpoint(destination);
                await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), timeout.Token);
                sent++;
            }

            return (sent, null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return (sent, exception);
        }
    }
}
