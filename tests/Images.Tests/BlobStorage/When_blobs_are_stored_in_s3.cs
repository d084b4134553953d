using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.BlobStorage;
using Shop.BlobStorage.S3;
using Shop.Images.Tests.Infrastructure;
using Xunit;

namespace Shop.Images.Tests.BlobStorage;

/// <summary>The blob storage contract on fauxqs' S3: one bucket per class, one key prefix per test.</summary>
[Trait("Category", "NoTransport")]
public sealed class When_blobs_are_stored_in_s3 : BlobStorageContract, IAsyncLifetime
{
    readonly string _bucket = Fauxqs.NewBucketName("blobs");
    readonly string _prefix = $"t{Guid.NewGuid().ToString("N")[..8]}/";
    IAmazonS3 _s3 = null!;
    S3BlobStorage _storage = null!;

    protected override IBlobStorage Storage => _storage;

    public async Task InitializeAsync()
    {
        _s3 = await Fauxqs.S3Client();
        _storage = new S3BlobStorage(_s3, Fauxqs.S3Options(_bucket, _prefix), NullLogger<S3BlobStorage>.Instance);
    }

    protected override async Task AssertNothingStored()
    {
        // Listing needs the bucket; a refused key may not have been the reason it was never created.
        await _s3.PutBucketAsync(_bucket);
        var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket });
        Assert.Empty(listed.S3Objects ?? []);
    }

    [Fact]
    public async Task Should_create_the_missing_bucket_and_store_every_key_behind_the_prefix()
    {
        await Storage.PutAsync("images/abc/original", new MemoryStream("hello"u8.ToArray()), "image/png");

        var stored = await _s3.GetObjectMetadataAsync(_bucket, $"{_prefix}images/abc/original");
        Assert.Equal("image/png", stored.Headers.ContentType);
        Assert.Equal($"{_prefix}images/abc/original", _storage.StorageKeyOf("images/abc/original"));
        Assert.Equal("images/abc/original", _storage.BlobKeyOf($"{_prefix}images/abc/original"));
        Assert.Null(_storage.BlobKeyOf("images/abc/original"));
        Assert.Null(_storage.BlobKeyOf($"{_prefix}../abc"));
    }

    [Fact]
    public async Task Should_fail_loudly_when_the_bucket_is_missing_and_creation_is_off()
    {
        var storage = new S3BlobStorage(_s3, Fauxqs.S3Options(Fauxqs.NewBucketName("missing"), createBucket: false),
            NullLogger<S3BlobStorage>.Instance);

        var failure = await Assert.ThrowsAsync<AmazonS3Exception>(() => storage.PutAsync("a/b", new MemoryStream([1]), "text/plain"));
        Assert.Equal(HttpStatusCode.NotFound, failure.StatusCode);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("/staging/")]
    [InlineData("Staging/")]
    [InlineData("../")]
    [InlineData("a//")]
    public async Task Should_refuse_a_prefix_that_is_not_key_segments(string prefix)
    {
        var options = Fauxqs.S3Options(_bucket, prefix);
        var failure = Assert.Throws<ArgumentException>(() => new S3BlobStorage(_s3, options, NullLogger<S3BlobStorage>.Instance));
        Assert.Contains("BlobStorage:S3:Prefix", failure.Message);
    }

    [Fact]
    public async Task Should_accept_a_post_of_the_presigned_form_as_the_blob()
    {
        var upload = await _storage.PresignUploadAsync("uploads/direct", "image/png", 1024, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal("http", upload.Url.Scheme);
        Assert.Contains("x-amz-signature", upload.Fields.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(_storage.StorageKeyOf("uploads/direct"), upload.Fields["key"]);

        using var response = await Fauxqs.PostUpload(upload.Url, upload.Fields, "direct bytes"u8.ToArray(), "image/png");
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");

        await using var blob = await Storage.OpenReadAsync("uploads/direct");
        Assert.NotNull(blob);
        Assert.Equal(("image/png", 12L), (blob.ContentType, blob.Length));
    }

    [Fact]
    public async Task Should_be_what_AddBlobStorage_registers_for_the_S3_provider()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Fauxqs.S3Settings(_bucket, _prefix)).Build();
        await using var services = new ServiceCollection().AddLogging().AddBlobStorage(configuration).BuildServiceProvider();

        var storage = services.GetRequiredService<IBlobStorage>();
        await storage.PutAsync("from/configuration", new MemoryStream([1, 2]), "application/octet-stream");

        Assert.IsType<S3BlobStorage>(storage);
        Assert.True(await Storage.ExistsAsync("from/configuration"));
    }

    public Task DisposeAsync()
    {
        _s3.Dispose();
        return Task.CompletedTask;
    }
}
