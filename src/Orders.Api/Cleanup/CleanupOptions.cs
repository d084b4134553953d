namespace Shop.Orders.Api.Cleanup;

/// <summary>The <c>Cleanup</c> section: what expires, and how often Orders.Api looks.</summary>
public sealed class CleanupOptions
{
    public const string SectionName = "Cleanup";

    public bool Enabled { get; set; } = true;

    /// <summary>Pause between two runs (the first runs at start-up).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a POST /orders Idempotency-Key finds the order it created; a retry after that is a new order.</summary>
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Added to <c>Images:DirectUploadUrlLifetime</c>: an image still awaiting its direct upload that long after its URL
    /// was handed out becomes <c>Expired</c> and whatever sits at its upload key is deleted.
    /// </summary>
    public TimeSpan UploadGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long large message bodies (claim checks under <c>messages/</c> in blob storage) are kept.</summary>
    public TimeSpan ClaimCheckLifetime { get; set; } = TimeSpan.FromDays(7);
}
