using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace Shop.BlobStorage.S3;

/// <summary>Blobs as objects in one S3 bucket (AWS or any S3-compatible server), one object per key.</summary>
public sealed class S3BlobStorage(IAmazonS3 s3, string bucket, ILogger<S3BlobStorage> logger) : IBlobStorage
{
    public async Task<string> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);

        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
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

        await s3.PutObjectAsync(request, cancellationToken);
        logger.LogDebug("Stored blob {BlobKey} in bucket {Bucket}", key, bucket);
        return key;
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        try
        {
            var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken);
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
        BlobKey.Validate(key);
        try
        {
            await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        BlobKey.Validate(key);
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, cancellationToken);
    }

    // S3 returns the ETag quoted, but not every compatible server does; HTTP needs the quotes.
    static string QuoteETag(string? etag) =>
        string.IsNullOrEmpty(etag) ? "\"\"" : etag.StartsWith('"') ? etag : $"\"{etag}\"";
}
