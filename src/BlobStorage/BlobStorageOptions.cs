namespace Shop.BlobStorage;

/// <summary>The <c>BlobStorage</c> configuration section.</summary>
public sealed class BlobStorageOptions
{
    public const string SectionName = "BlobStorage";

    /// <summary><c>Disk</c> (default) or <c>S3</c>.</summary>
    public string Provider { get; set; } = BlobStorageProviders.Disk;

    public DiskBlobStorageOptions Disk { get; set; } = new();

    public S3BlobStorageOptions S3 { get; set; } = new();
}

public sealed class DiskBlobStorageOptions
{
    /// <summary>The folder holding every blob; relative paths start at the content root (the working directory).</summary>
    public string Root { get; set; } = "data/blobs";
}

public sealed class S3BlobStorageOptions
{
    public string Bucket { get; set; } = "";

    /// <summary>
    /// Put before every key (e.g. <c>staging/</c>), so several environments can share one bucket; empty or
    /// lower-case segments ending with '/'.
    /// </summary>
    public string Prefix { get; set; } = "";

    /// <summary>
    /// Create the bucket on first use when it is missing. Off by default: in production the bucket belongs to
    /// infrastructure as code, and the services should not hold <c>s3:CreateBucket</c>.
    /// </summary>
    public bool CreateBucket { get; set; }

    /// <summary>An S3-compatible endpoint (e.g. <c>http://127.0.0.1:9000</c>); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The AWS region, or the signing region of an S3-compatible endpoint.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Address buckets as <c>host/bucket/key</c>, which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Static credentials for an emulator; otherwise the SDK's default chain (environment, profile, role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }
}

public static class BlobStorageProviders
{
    public const string Disk = "Disk";
    public const string S3 = "S3";
}
