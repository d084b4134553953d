using Shop.ReadModel.Documents;

namespace Shop.ReadModel.Storage;

/// <summary>The write side of the read-model store: documents read by id and written back in bulk.</summary>
public interface IReadModelWriter
{
    Task<IReadOnlyDictionary<Guid, OrderSummary>> FindOrdersAsync(IReadOnlyCollection<Guid> orderIds, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<Guid, ProductImageDocument>> FindImagesAsync(IReadOnlyCollection<Guid> imageIds, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the documents in one bulk request. A document with <c>Revision</c> 0 is new; any other replaces the stored
    /// one only if that still has the same revision, and gets the next. A document another writer created or changed
    /// since it was read makes the call throw <see cref="ReadModelConflictException"/> (the caller reads and applies
    /// again). A document the store refuses for what it is comes back in the result with the reason; the others are
    /// written.
    /// </summary>
    Task<IReadOnlyList<RejectedDocument>> WriteAsync(IReadOnlyCollection<OrderSummary> orders, IReadOnlyCollection<ProductImageDocument> images,
        CancellationToken cancellationToken);
}

/// <param name="Kind"><c>order</c> or <c>image</c>.</param>
public sealed record RejectedDocument(string Kind, Guid Id, string Reason);

/// <summary>A document changed under the writer between its read and its write.</summary>
public sealed class ReadModelConflictException(string message, Exception? innerException = null) : Exception(message, innerException);
