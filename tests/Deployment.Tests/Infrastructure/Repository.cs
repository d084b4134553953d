using System.Xml.Linq;

namespace Shop.Deployment.Tests.Infrastructure;

/// <summary>The checked-out repository the tests read: found by walking up from the test binaries to <c>Shop.sln</c>.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.GetFullPath(Path.Combine(Root, relativePath));

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    /// <summary><c>src/X/X.csproj</c> of every project <paramref name="project"/> references, directly or not, itself included.</summary>
    public static IReadOnlyList<string> ProjectClosure(string project)
    {
        var found = new List<string>();
        var pending = new Stack<string>([$"src/{project}/{project}.csproj"]);
        while (pending.TryPop(out var csproj))
        {
            if (found.Contains(csproj))
                continue;
            found.Add(csproj);

            var directory = Path.GetDirectoryName(csproj)!;
            foreach (var reference in XDocument.Load(PathOf(csproj)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetRelativePath(Root, PathOf(Path.Combine(directory, include))).Replace('\\', '/'));
            }
        }

        return found;
    }

    /// <summary>The C# sources of the projects in <see cref="ProjectClosure"/>: what the service actually runs.</summary>
    public static IEnumerable<string> SourcesOf(string project) =>
        ProjectClosure(project)
            .Select(csproj => PathOf(Path.GetDirectoryName(csproj)!))
            .SelectMany(directory => Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
                .Where(file => !IsBuildOutput(Path.GetRelativePath(directory, file))));

    static bool IsBuildOutput(string relativePath)
    {
        var first = relativePath.Replace('\\', '/').Split('/')[0];
        return first is "bin" or "obj";
    }

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
