using Shop.Docs.Tests.Infrastructure;

namespace Shop.Docs.Tests;

/// <summary>Every relative link of README.md and docs/*.md reaches a file of the repository, and its anchor a heading there.</summary>
[Trait("Category", "NoTransport")]
public sealed class RelativeLinkTests
{
    public static TheoryData<string> Pages => new(Repository.MarkdownFiles);

    [Theory]
    [MemberData(nameof(Pages))]
    public void Should_resolve_every_relative_link_of_the_page(string page)
    {
        var markdown = new Markdown(page);
        var broken = new List<string>();

        foreach (var target in markdown.LinkTargets.Where(t => !IsExternal(t)))
        {
            var (path, anchor) = Split(target);
            var file = path.Length == 0 ? page : Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path));
            var full = Repository.PathOf(file);
            if (!File.Exists(full) && !Directory.Exists(full))
                broken.Add($"{target} (no {Path.GetRelativePath(Repository.Root, full)})");
            else if (anchor.Length > 0 && full.EndsWith(".md", StringComparison.Ordinal)
                     && !new Markdown(Path.GetRelativePath(Repository.Root, full)).Anchors.Contains(anchor))
                broken.Add($"{target} (no heading with anchor #{anchor})");
        }

        Assert.True(broken.Count == 0, $"{page} links to what is not there: {string.Join("; ", broken)}");
    }

    static bool IsExternal(string target) =>
        target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal);

    static (string Path, string Anchor) Split(string target)
    {
        var hash = target.IndexOf('#');
        return hash < 0 ? (target, "") : (target[..hash], target[(hash + 1)..]);
    }
}
