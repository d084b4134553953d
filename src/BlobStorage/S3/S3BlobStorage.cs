using System.Net;
using System.Text.RegularExpressions;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace Shop.BlobStorage.S3;

/// <summary>
/// Blobs as objects in one S3 bucket (AWS or any S3-compatible server), one object per key, each key behind the
/// configured prefix. Creates the bucket on first use when <see cref="S3BlobStorageOptions.CreateBucket"/> says so.
/// </summary>
public sealed partial class S3BlobStorage : IBlobStorage, IPresignedUploadStorage
{
    readonly IAmazonS3 _s3;
    readonly string _bucket;
    readonly string _prefix;
    readonly bool _createBucket;
    readonly bool _plainHttp;
    readonly ILogger<S3BlobStorage> _logger;
    readonly SemaphoreSlim _bucketLock = new(1, 1);
    volatile bool _bucketReady;

    public S3BlobStorage(IAmazonS3 s3, S3BlobStorageOptions options, ILogger<S3BlobStorage> logger)
    {
        if (string.IsNullOrWhiteSpace(options.Bucket))
            throw new ArgumentException("BlobStorage:S3:Bucket must be set when BlobStorage:Provider is S3.", nameof(options));
        if (!PrefixPattern.IsMatch(options.Prefix))
            throw new ArgumentException(
                $"BlobStorage:S3:Prefix '{options.Prefix}' must be empty or lower-case segments of letters, digits, '-' and '_', each ending with '/'.",
                nameof(options));

        _s3 = s3;
        _bucket = options.Bucket;
        _prefix = options.Prefix;
        _createBucket = options.CreateBucket;
        _plainHttp = options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true;
        _logger = logger;
        _bucketReady = !_createBucket;
    }

    public string Bucket => _bucket;

    public string Prefix => _prefix;

    [GeneratedRegex(@"^([a-z0-9][a-z0-9_-]{0,63}/){0,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixPattern { get; }

    public async Task<string> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        var objectKey = StorageKeyOf(key);
        await EnsureBucketAsync(cancellationToken);

        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            InputStream = content,
            ContentType = contentType,
            AutoCloseStream = false,
            // Streaming (aws-chunked) uploads are the part of SigV4 that S3-compatible servers most often lack.
            UseChunkEncoding = false,
        };
        if (!content.CanSeek)
        {
            // The SDK needs the length up front for a single PUT; buffer a stream that cannot tell it.
            var buffered = new MemoryStream();
            await content.CopyToAsync(buffered, cancellationToken);
            buffered.Position = 0;
            request.InputStream = buffered;
            request.AutoCloseStream = true;
        }

        await _s3.PutObjectAsync(request, cancellationToken);
        _logger.LogDebug("Stored blob {BlobKey} in bucket {Bucket}", key, _bucket);
        return key;
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = StorageKeyOf(key);
        await EnsureBucketAsync(cancellationToken);
        try
        {
            var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = objectKey }, cancellationToken);
            return new BlobContent(response.ResponseStream, response.Headers.ContentType ?? "application/octet-stream",
                response.Headers.ContentLength, QuoteETag(response.ETag));
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = StorageKeyOf(key);
        await EnsureBucketAsync(cancellationToken);
        try
        {
            await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = objectKey }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var objectKey = StorageKeyOf(key);
        await EnsureBucketAsync(cancellationToken);
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = objectKey }, cancellationToken);
    }

    public async Task<PresignedUpload> PresignUploadAsync(string key, string? contentType, long maxBytes, DateTimeOffset expiresAt,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var objectKey = StorageKeyOf(key);
        await EnsureBucketAsync(cancellationToken);

        // A POST policy, not a presigned PUT: S3 checks the size range and the content type of what is posted.
        var request = new CreatePresignedPostRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            Expires = expiresAt.UtcDateTime,
            Conditions =
            [
                S3PostCondition.ContentLengthRange(1, maxBytes),
                contentType is null ? S3PostCondition.StartsWith("Content-Type", "image/") : S3PostCondition.ExactMatch("Content-Type", contentType),
            ],
        };
        if (contentType is not null)
            request.Fields["Content-Type"] = contentType;

        var response = await _s3.CreatePresignedPostAsync(request);
        var url = new Uri(response.Url);
        // The SDK builds an https URL; an emulator on plain HTTP needs http.
        if (_plainHttp && url.Scheme == Uri.UriSchemeHttps)
            url = new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Port = url.IsDefaultPort ? -1 : url.Port }.Uri;
        return new PresignedUpload(url, new Dictionary<string, string>(response.Fields));
    }

    /// <summary>The object key of <paramref name="key"/>: the prefix, then the key.</summary>
    public string StorageKeyOf(string key) => _prefix + BlobKey.Validate(key);

    /// <summary>The blob key behind an object key (as an S3 event names it), or null when the object is not one of ours.</summary>
    public string? BlobKeyOf(string storageKey) =>
        storageKey.StartsWith(_prefix, StringComparison.Ordinal) && BlobKey.IsValid(storageKey[_prefix.Length..])
            ? storageKey[_prefix.Length..]
            : null;

    /// <summary>
    /// Creates the bucket once, the first time it is needed, when the options allow it (otherwise does nothing); a
    /// failure is retried by the next call.
    /// </summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketReady)
            return;

        await _bucketLock.WaitAsync(cancellationToken);
        try
        {
            if (_bucketReady)
                return;

            try
            {
                await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken);
                _logger.LogInformation("Created bucket {Bucket}", _bucket);
            }
            catch (AmazonS3Exception exception) when (exception.ErrorCode is "BucketAlreadyOwnedByYou")
            {
                // Ours already: nothing to do. "BucketAlreadyExists" (someone else's) is left to fail loudly.
            }

            _bucketReady = true;
        }
        finally
        {
            _bucketLock.Release();
        }
    }

    // S3 returns the ETag quoted, but not every compatible server does; HTTP needs the quotes.
    static string QuoteETag(string? etag) =>
        string.IsNullOrEmpty(etag) ? "\"\"" : etag.StartsWith('"') ? etag : $"\"{etag}\"";
}
