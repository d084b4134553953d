using Shop.BlobStorage;
using Shop.BlobStorage.Disk;
using Xunit;

namespace Shop.Images.Tests.BlobStorage;

[Trait("Category", "NoTransport")]
public sealed class When_blobs_are_stored_on_disk : BlobStorageContract, IDisposable
{
    readonly string _parent = Path.Combine(Path.GetTempPath(), $"shop-blobs-{Guid.NewGuid():N}");
    readonly DiskBlobStorage _storage;

    public When_blobs_are_stored_on_disk() => _storage = new DiskBlobStorage(Path.Combine(_parent, "root"));

    protected override IBlobStorage Storage => _storage;

    // Nothing written anywhere, not even next to the root: a refused key must never become a path.
    protected override Task AssertNothingStored()
    {
        Assert.Equal(["root"], Directory.GetFileSystemEntries(_parent).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(_storage.Root));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Should_use_the_content_hash_as_etag_and_keep_one_file_per_blob()
    {
        await _storage.PutAsync("a/b.jpg", new MemoryStream("one"u8.ToArray()), "image/jpeg");
        await _storage.PutAsync("a/b.jpg", new MemoryStream("two"u8.ToArray()), "image/jpeg");

        await using var blob = await _storage.OpenReadAsync("a/b.jpg");
        Assert.Matches("^\"[0-9a-f]{64}\"$", blob!.ETag);
        Assert.Single(Directory.GetFiles(Path.Combine(_storage.Root, "a")), f => !f.Contains('~'));
    }

    [Fact]
    public void Should_refuse_an_over_long_key()
    {
        var key = string.Join('/', Enumerable.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 8));
        Assert.True(key.Length > BlobKey.MaxLength);
        Assert.False(BlobKey.IsValid(key));
    }

    [Fact]
    public void Should_accept_the_keys_the_image_pipeline_generates()
    {
        var id = Guid.NewGuid();
        Assert.True(BlobKey.IsValid(BlobKeys.ImageOriginal(id)));
        Assert.True(BlobKey.IsValid(BlobKeys.ImageThumbnail(id, 800, "webp")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_parent))
            Directory.Delete(_parent, recursive: true);
    }
}
