namespace Shop.Docs.Tests.Infrastructure;

/// <summary>The checked-out repository the tests read: found by walking up from the test binaries to <c>Shop.sln</c>.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.GetFullPath(Path.Combine(Root, relativePath));

    /// <summary>README.md and docs/*.md, as paths relative to the root.</summary>
    public static IReadOnlyList<string> MarkdownFiles { get; } =
        Directory.EnumerateFiles(PathOf("docs"), "*.md")
            .Select(file => Path.GetRelativePath(Root, file).Replace('\\', '/'))
            .Prepend("README.md")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Every C# file under <c>src/</c>, build output excluded.</summary>
    public static IReadOnlyList<string> SourceFiles { get; } =
        Directory.EnumerateFiles(PathOf("src"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(Root, file).Replace('\\', '/').Split('/').Any(part => part is "bin" or "obj"))
            .ToList();

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Shop.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException($"No Shop.sln above {AppContext.BaseDirectory}: the tests read the repository they were built from.");
    }
}
