using System.Runtime.CompilerServices;
using Amazon.S3.Model;

namespace Shop.BlobStorage.S3;

public sealed partial class S3BlobStorage : IBlobListing
{
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureBucketAsync(cancellationToken);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        do
        {
            var response = await _s3.ListObjectsV2Async(request, cancellationToken);
            // S3 lists in UTF-8 byte order, which is ordinal order for the ASCII keys we write.
            foreach (var item in response.S3Objects ?? [])
            {
                if (BlobKeyOf(item.Key) is { } key)
                    yield return key;
            }

            request.ContinuationToken = response.IsTruncated == true ? response.NextContinuationToken : null;
        } while (request.ContinuationToken is not null);
    }
}
