using Shop.BlobStorage;

namespace Shop.Messaging.AmazonSqs.Transport;

/// <summary>
/// Bodies too large for SQS/SNS go to blob storage under <c>messages/{yyyy-MM-dd}/{messageId}</c> (the day it was
/// stored); the message carries the key in an attribute and as its body. A published message reaches several queues,
/// so the blob is not deleted on receipt: <see cref="DeleteExpiredAsync"/> (run on a schedule) removes the days past
/// their lifetime, as would a lifecycle rule on the bucket's <c>messages/</c> prefix.
/// </summary>
public static class ClaimCheck
{
    public const string KeyPrefix = "messages/";
    const string DayFormat = "yyyy-MM-dd";

    public static async Task<string> StoreAsync(AmazonSqsTransportContext transport, Guid messageId, byte[] body,
        CancellationToken cancellationToken)
    {
        var blobs = transport.Blobs ?? throw new InvalidOperationException(
            $"A message body of {body.Length} bytes is over the SQS/SNS limit and there is no blob storage to hold it: " +
            "register blob storage (AddBlobStorage) in this service.");
        var key = KeyFor(messageId, DateTimeOffset.UtcNow);
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

    public static string KeyFor(Guid messageId, DateTimeOffset storedAt) =>
        $"{KeyPrefix}{storedAt.UtcDateTime.ToString(DayFormat, System.Globalization.CultureInfo.InvariantCulture)}/{messageId:N}";

    /// <summary>
    /// Deletes the bodies stored on a day wholly before <paramref name="storedBefore"/> (a body stays at least its
    /// lifetime, at most a day longer). Bodies stored before the keys carried a day (<c>messages/{id}</c>) are deleted
    /// too: they are older than any lifetime by now. Returns how many were deleted.
    /// </summary>
    public static async Task<int> DeleteExpiredAsync(IBlobStorage blobs, DateTimeOffset storedBefore, CancellationToken cancellationToken)
    {
        if (blobs is not IBlobListing listing)
            return 0;

        var lastExpiredDay = storedBefore.UtcDateTime.Date.AddDays(-1);
        var expired = new List<string>();
        await foreach (var key in listing.ListAsync(KeyPrefix, cancellationToken))
        {
            var rest = key[KeyPrefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash < 0 || (DateTime.TryParseExact(rest[..slash], DayFormat, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var day)
                && day <= lastExpiredDay))
                expired.Add(key);
        }

        foreach (var key in expired)
            await blobs.DeleteAsync(key, cancellationToken);
        return expired.Count;
    }
}
