using System.Security.Cryptography;
using System.Text.Json;

namespace Shop.BlobStorage.Disk;

/// <summary>
/// Blobs as files under one root folder. Each blob has a sidecar (<c>{file}~meta</c>, a name no key can produce)
/// holding its content type and a content hash used as ETag. Writes go to a temporary file first and are moved
/// into place, so a reader never sees half a blob and a repeated write simply replaces the file.
/// </summary>
public sealed partial class DiskBlobStorage : IBlobStorage
{
    const string MetaSuffix = "~meta";
    readonly string _root;

    public DiskBlobStorage(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public async Task<string> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        var temporary = $"{path}~{Guid.NewGuid():N}.tmp";
        try
        {
            long length;
            byte[] hash;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                length = file.Length;
                hash = sha.GetHashAndReset();
            }

            var meta = new BlobMeta(contentType, $"\"{Convert.ToHexStringLower(hash)}\"", length);
            var temporaryMeta = temporary + MetaSuffix;
            await File.WriteAllBytesAsync(temporaryMeta, JsonSerializer.SerializeToUtf8Bytes(meta), cancellationToken);

            File.Move(temporary, path, overwrite: true);
            File.Move(temporaryMeta, path + MetaSuffix, overwrite: true);
            return key;
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(temporary + MetaSuffix);
        }
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var meta = await ReadMeta(path, cancellationToken);
            return new BlobContent(stream, meta?.ContentType ?? "application/octet-stream", stream.Length,
                meta?.ETag ?? $"\"{stream.Length:x}-{File.GetLastWriteTimeUtc(path).Ticks:x}\"");
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        File.Delete(path);
        File.Delete(path + MetaSuffix);
        return Task.CompletedTask;
    }

    string PathOf(string key)
    {
        BlobKey.Validate(key);

        // The key pattern already rules out escaping the root; this second check keeps it so if the pattern ever widens.
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' is not a valid blob key.", nameof(key));
        return path;
    }

    static async Task<BlobMeta?> ReadMeta(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var meta = File.OpenRead(path + MetaSuffix);
            return await JsonSerializer.DeserializeAsync<BlobMeta>(meta, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    sealed record BlobMeta(string ContentType, string ETag, long Length);
}
