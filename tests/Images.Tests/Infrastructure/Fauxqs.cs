using Amazon.S3;
using Amazon.SQS;
using Shop.BlobStorage;
using Shop.Testing;

namespace Shop.Images.Tests.Infrastructure;

/// <summary>
/// The fauxqs emulator (S3 and SQS on one endpoint) that <c>scripts/fauxqs.sh</c> starts. Missing settings or an
/// emulator that does not answer fail the test with what to run; nothing is skipped.
/// </summary>
public static class Fauxqs
{
    const string Hint = "run: eval \"$(scripts/fauxqs.sh --env)\" (installs and starts fauxqs on 127.0.0.1)";
    static readonly Lazy<Task<Uri>> Checked = new(TestTransport.AwsEndpoint);

    public static Task<Uri> Endpoint() => Checked.Value;

    public static string Region => Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";

    /// <summary>A bucket name no other test class uses (S3 names: lower case, 3–63 characters).</summary>
    public static string NewBucketName(string purpose) => $"shop-{purpose[..Math.Min(purpose.Length, 20)]}-{Guid.NewGuid():N}";

    /// <summary>The <c>BlobStorage:S3</c> settings of a test against fauxqs: path-style addressing, the test credentials.</summary>
    /// <summary>Call <see cref="Endpoint"/> first: this only reads the settings.</summary>
    public static S3BlobStorageOptions S3Options(string bucket, string prefix = "", bool createBucket = true) => new()
    {
        Bucket = bucket,
        Prefix = prefix,
        CreateBucket = createBucket,
        ServiceUrl = Environment.GetEnvironmentVariable("SHOP_TEST_AWS_ENDPOINT") ?? throw new InvalidOperationException($"SHOP_TEST_AWS_ENDPOINT is not set; {Hint}"),
        Region = Region,
        ForcePathStyle = true,
        AccessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"),
        SecretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"),
    };

    /// <summary>The same settings as configuration keys, for a host that calls <c>AddBlobStorage</c>.</summary>
    public static Dictionary<string, string?> S3Settings(string bucket, string prefix = "")
    {
        var options = S3Options(bucket, prefix);
        return new Dictionary<string, string?>
        {
            ["BlobStorage:Provider"] = BlobStorageProviders.S3,
            ["BlobStorage:S3:Bucket"] = options.Bucket,
            ["BlobStorage:S3:Prefix"] = options.Prefix,
            ["BlobStorage:S3:CreateBucket"] = "true",
            ["BlobStorage:S3:ServiceUrl"] = options.ServiceUrl,
            ["BlobStorage:S3:Region"] = options.Region,
            ["BlobStorage:S3:ForcePathStyle"] = "true",
            ["BlobStorage:S3:AccessKey"] = options.AccessKey,
            ["BlobStorage:S3:SecretKey"] = options.SecretKey,
        };
    }

    /// <summary>
    /// Posts <paramref name="content"/> with a presigned POST's fields, the file last as S3 requires, and a
    /// <c>Content-Type</c> field unless the fields already carry one.
    /// </summary>
    public static async Task<HttpResponseMessage> PostUpload(Uri url, IReadOnlyDictionary<string, string> fields, byte[] content, string contentType)
    {
        using var http = new HttpClient();
        var boundary = $"----shop{Guid.NewGuid():N}";
        using var form = new MultipartFormDataContent(boundary);
        // As browsers send it: the boundary bare in the header (HttpClient quotes it) and the field names quoted
        // (HttpClient leaves simple names bare); fauxqs reads only the browsers' way.
        form.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        foreach (var (name, value) in fields)
            form.Add(new StringContent(value), $"\"{name}\"");
        if (!fields.ContainsKey("Content-Type"))
            form.Add(new StringContent(contentType), "\"Content-Type\"");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new(contentType);
        form.Add(file, "\"file\"", "\"upload\"");
        return await http.PostAsync(url, form);
    }

    public static async Task<IAmazonS3> S3Client()
    {
        await Endpoint();
        return BlobStorageServiceCollectionExtensions.CreateS3Client(S3Options("unused"));
    }

    public static async Task<IAmazonSQS> SqsClient()
    {
        await Endpoint();
        return BlobStorageServiceCollectionExtensions.CreateSqsClient(S3Options("unused"));
    }
}
