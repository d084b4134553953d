using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Shop.BlobStorage;
using Shop.ReadModel.Projections;

namespace Shop.ReadModel.Archive;

/// <summary>
/// Every batch the read side applies, kept as one blob of gzip-compressed newline-delimited JSON under a key
/// partitioned by the hour it was written (<c>archive/events/yyyy/MM/dd/HH/…</c>), as a delivery stream would. A batch
/// written again after a failure is archived again: the archive may hold copies, which the projections ignore.
/// </summary>
public sealed class EventArchive(IBlobStorage storage, TimeProvider time, ILogger<EventArchive> logger)
{
    public const string Prefix = "archive/events/";
    const string ContentType = "application/x-ndjson";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="events"/> as one blob and returns its key.</summary>
    public async Task<string> WriteAsync(IReadOnlyList<ProjectedEvent> events, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{now:yyyy}/{now:MM}/{now:dd}/{now:HH}/{now:yyyyMMdd-HHmmss-fffffff}-{Guid.NewGuid():N}.gz");

        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (var evt in events)
            {
                var line = new ArchivedEvent(evt.Type, evt.MessageId, evt.SentAt,
                    JsonSerializer.SerializeToElement(evt.Message, evt.Message.GetType(), Json));
                await JsonSerializer.SerializeAsync(gzip, line, Json, cancellationToken);
                gzip.WriteByte((byte)'\n');
            }
        }

        buffer.Position = 0;
        return await storage.PutAsync(key, buffer, ContentType, cancellationToken);
    }

    /// <summary>The archive's blobs, oldest first.</summary>
    public IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken) =>
        storage is IBlobListing listing
            ? listing.ListAsync(Prefix, cancellationToken)
            : throw new InvalidOperationException($"{storage.GetType().Name} cannot list blobs, so its archive cannot be replayed.");

    /// <summary>The events of one archived batch. A line that cannot be read is logged and skipped, not fatal to a rebuild.</summary>
    public async IAsyncEnumerable<ProjectedEvent> ReadAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var blob = await storage.OpenReadAsync(key, cancellationToken)
                               ?? throw new InvalidOperationException($"The archived batch {key} is gone.");
        await using var gzip = new GZipStream(blob.Content, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (line.Length == 0)
                continue;
            if (TryRead(line) is { } evt)
                yield return evt;
            else
                logger.LogWarning("Line {Line} of archived batch {BlobKey} is not an event of the read model; skipped", number, key);
        }
    }

    static ProjectedEvent? TryRead(string line)
    {
        try
        {
            var archived = JsonSerializer.Deserialize<ArchivedEvent>(line, Json);
            if (archived is null || !ReadModelEvents.TryGetType(archived.Type, out var type))
                return null;
            return archived.Message.Deserialize(type, Json) is { } message
                ? new ProjectedEvent(archived.MessageId, DateTime.SpecifyKind(archived.SentAt, DateTimeKind.Utc), message)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One line of an archived batch.</summary>
    sealed record ArchivedEvent(string Type, Guid MessageId, DateTime SentAt, JsonElement Message);
}
