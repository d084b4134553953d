using Shop.BlobStorage;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Bodies too large for SQS/SNS go to blob storage under <c>messages/{messageId}</c>; the message carries the key
/// in an attribute and as its body. A published message reaches several queues, so the blob is not deleted on
/// receipt: a lifecycle rule on the bucket's <c>messages/</c> prefix removes old ones.
/// </summary>
public static class ClaimCheck
{
    public const string KeyPrefix = "messages/";

    public static async Task<string> StoreAsync(AmazonSqsTransportContext transport, Guid messageId, byte[] body,
        CancellationToken cancellationToken)
    {
        var blobs = transport.Blobs ?? throw new InvalidOperationException(
            $"A message body of {body.Length} bytes is over the SQS/SNS limit and there is no blob storage to hold it: " +
            "register blob storage (AddBlobStorage) in this service.");
        var key = KeyPrefix + messageId.ToString("N");
        using var content = new MemoryStream(body, writable: false);
        return await blobs.PutAsync(key, content, "application/octet-stream", cancellationToken);
    }

    public static async Task<byte[]> LoadAsync(AmazonSqsTransportContext transport, string key, CancellationToken cancellationToken)
    {
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal))
            throw new InvalidOperationException($"'{key}' is not a message body reference.");
        var blobs = transport.Blobs ?? throw new InvalidOperationException(
            $"The message body is in blob storage ('{key}') and this service has no blob storage registered.");
        var blob = await blobs.OpenReadAsync(key, cancellationToken)
            ?? throw new InvalidOperationException($"The message body '{key}' is no longer in blob storage.");
        await using var stream = blob.Content;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
