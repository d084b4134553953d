using System.Text;
using Shop.BlobStorage;
using Shop.BlobStorage.Disk;
using Xunit;

namespace Shop.Images.Tests;

public sealed class When_blobs_are_stored_on_disk : IDisposable
{
    readonly string _parent = Path.Combine(Path.GetTempPath(), $"shop-blobs-{Guid.NewGuid():N}");
    readonly DiskBlobStorage _storage;

    public When_blobs_are_stored_on_disk() => _storage = new DiskBlobStorage(Path.Combine(_parent, "root"));

    [Fact]
    public async Task Should_read_back_the_content_type_length_and_a_content_etag()
    {
        var key = await _storage.PutAsync("images/abc/original", new MemoryStream("hello"u8.ToArray()), "image/png");

        await using var blob = await _storage.OpenReadAsync(key);
        Assert.NotNull(blob);
        Assert.Equal("image/png", blob.ContentType);
        Assert.Equal(5, blob.Length);
        Assert.Matches("^\"[0-9a-f]{64}\"$", blob.ETag);
        using var reader = new StreamReader(blob.Content);
        Assert.Equal("hello", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Should_replace_a_blob_written_twice_and_change_its_etag_only_with_its_content()
    {
        await _storage.PutAsync("a/b.jpg", new MemoryStream("one"u8.ToArray()), "image/jpeg");
        var first = await ETag("a/b.jpg");
        await _storage.PutAsync("a/b.jpg", new MemoryStream("one"u8.ToArray()), "image/jpeg");
        Assert.Equal(first, await ETag("a/b.jpg"));

        await _storage.PutAsync("a/b.jpg", new MemoryStream("two"u8.ToArray()), "image/jpeg");
        Assert.NotEqual(first, await ETag("a/b.jpg"));
        Assert.Single(Directory.GetFiles(Path.Combine(_storage.Root, "a")), f => !f.Contains('~'));
    }

    [Fact]
    public async Task Should_tell_whether_a_blob_exists_and_delete_it()
    {
        await _storage.PutAsync("x/y", new MemoryStream([1, 2, 3]), "application/octet-stream");
        Assert.True(await _storage.ExistsAsync("x/y"));

        await _storage.DeleteAsync("x/y");

        Assert.False(await _storage.ExistsAsync("x/y"));
        Assert.Null(await _storage.OpenReadAsync("x/y"));
        await _storage.DeleteAsync("x/y");
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("images/../../escaped")]
    [InlineData("images/./x")]
    [InlineData("/etc/passwd")]
    [InlineData("..\\escaped")]
    [InlineData("images\\..\\..\\escaped")]
    [InlineData("C:/escaped")]
    [InlineData("images//x")]
    [InlineData("images/x/")]
    [InlineData("Images/Upper")]
    [InlineData("images/%2e%2e/x")]
    [InlineData("images/x~meta")]
    [InlineData("images/x.tar.gz")]
    [InlineData("images/\0x")]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Should_refuse_a_key_that_could_leave_the_root(string key)
    {
        Assert.False(BlobKey.IsValid(key));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.PutAsync(key, new MemoryStream("x"u8.ToArray()), "text/plain"));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.OpenReadAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.ExistsAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.DeleteAsync(key));

        Assert.Equal(["root"], Directory.GetFileSystemEntries(_parent).Select(Path.GetFileName));
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

    async Task<string> ETag(string key)
    {
        await using var blob = await _storage.OpenReadAsync(key);
        return blob!.ETag;
    }

    public void Dispose()
    {
        if (Directory.Exists(_parent))
            Directory.Delete(_parent, recursive: true);
    }
}
