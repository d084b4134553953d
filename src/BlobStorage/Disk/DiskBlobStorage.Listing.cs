using System.Runtime.CompilerServices;

namespace Shop.BlobStorage.Disk;

public sealed partial class DiskBlobStorage : IBlobListing
{
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The deepest folder the prefix names completely; the rest of the prefix filters the keys found below it.
        var folder = prefix.LastIndexOf('/') is var slash and >= 0 ? prefix[..slash] : "";
        var start = Path.Combine(_root, folder.Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
            yield break;

        var keys = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && BlobKey.IsValid(key))
            .Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }

        await Task.CompletedTask;
    }
}
