using System.Security.Cryptography;
using Shop.BlobStorage;
using Xunit;

namespace Shop.Images.Tests.BlobStorage;

/// <summary>
/// What every <see cref="IBlobStorage"/> adapter promises, run against each of them (disk and S3) by deriving from
/// this class: the image pipeline may not notice which one it is on.
/// </summary>
public abstract class BlobStorageContract
{
    protected abstract IBlobStorage Storage { get; }

    /// <summary>Fails unless the adapter holds no blob at all (after refused writes).</summary>
    protected abstract Task AssertNothingStored();

    [Fact]
    public async Task Should_read_back_the_content_type_length_and_a_quoted_etag()
    {
        var key = await Storage.PutAsync("images/abc/original", new MemoryStream("hello"u8.ToArray()), "image/png");

        await using var blob = await Storage.OpenReadAsync(key);
        Assert.NotNull(blob);
        Assert.Equal("image/png", blob.ContentType);
        Assert.Equal(5, blob.Length);
        Assert.Matches("^\"[^\"]+\"$", blob.ETag);
        using var reader = new StreamReader(blob.Content);
        Assert.Equal("hello", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task Should_replace_a_blob_written_twice_and_change_its_etag_only_with_its_content()
    {
        await Storage.PutAsync("a/b.jpg", new MemoryStream("one"u8.ToArray()), "image/jpeg");
        var first = await ETag("a/b.jpg");
        await Storage.PutAsync("a/b.jpg", new MemoryStream("one"u8.ToArray()), "image/jpeg");
        Assert.Equal(first, await ETag("a/b.jpg"));

        await Storage.PutAsync("a/b.jpg", new MemoryStream("two"u8.ToArray()), "image/webp");
        Assert.NotEqual(first, await ETag("a/b.jpg"));
        await using var blob = await Storage.OpenReadAsync("a/b.jpg");
        Assert.Equal(("image/webp", 3L), (blob!.ContentType, blob.Length));
    }

    [Fact]
    public async Task Should_tell_whether_a_blob_exists_and_delete_it()
    {
        await Storage.PutAsync("x/y", new MemoryStream([1, 2, 3]), "application/octet-stream");
        Assert.True(await Storage.ExistsAsync("x/y"));

        await Storage.DeleteAsync("x/y");

        Assert.False(await Storage.ExistsAsync("x/y"));
        Assert.Null(await Storage.OpenReadAsync("x/y"));
        await Storage.DeleteAsync("x/y");
    }

    [Fact]
    public async Task Should_answer_null_and_false_for_a_blob_never_stored()
    {
        Assert.Null(await Storage.OpenReadAsync("never/stored.png"));
        Assert.False(await Storage.ExistsAsync("never/stored.png"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Should_round_trip_a_large_blob_byte_for_byte(bool seekable)
    {
        var content = new byte[6 * 1024 * 1024 + 123];
        new Random(7).NextBytes(content);
        Stream source = seekable ? new MemoryStream(content) : new ForwardOnlyStream(content);

        await Storage.PutAsync("large/blob.bin", source, "application/octet-stream");

        await using var blob = await Storage.OpenReadAsync("large/blob.bin");
        Assert.NotNull(blob);
        Assert.Equal(content.Length, blob.Length);
        using var read = new MemoryStream();
        await blob.Content.CopyToAsync(read);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(read.ToArray()));
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
    [InlineData("images/x?versionId=1")]
    [InlineData("")]
    [InlineData(" ")]
    public async Task Should_refuse_a_key_outside_the_key_pattern(string key)
    {
        Assert.False(BlobKey.IsValid(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.PutAsync(key, new MemoryStream("x"u8.ToArray()), "text/plain"));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.OpenReadAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.ExistsAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.DeleteAsync(key));

        await AssertNothingStored();
    }

    async Task<string> ETag(string key)
    {
        await using var blob = await Storage.OpenReadAsync(key);
        return blob!.ETag;
    }

    /// <summary>A stream that cannot seek or tell its length, like a request body.</summary>
    sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        readonly MemoryStream _inner = new(content);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
