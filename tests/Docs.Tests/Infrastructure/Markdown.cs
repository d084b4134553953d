using System.Text.RegularExpressions;

namespace Shop.Docs.Tests.Infrastructure;

/// <summary>The parts of a Markdown page the tests check: its prose (code blocks removed), links, headings and tables.</summary>
public sealed partial class Markdown(string relativePath)
{
    public string RelativePath { get; } = relativePath;

    public string Text { get; } = File.ReadAllText(Repository.PathOf(relativePath));

    /// <summary>The page without its fenced code blocks: a link or an endpoint inside one is an example, not a claim.</summary>
    public string Prose => FencedBlock().Replace(Text, "");

    public IEnumerable<string> LinkTargets => Link().Matches(Prose).Select(m => m.Groups["target"].Value);

    /// <summary>The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    public IReadOnlySet<string> Anchors
    {
        get
        {
            var anchors = new HashSet<string>(StringComparer.Ordinal);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (Match heading in Heading().Matches(Prose))
            {
                var slug = NotInSlug().Replace(heading.Groups["title"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
                var repeat = seen.GetValueOrDefault(slug);
                seen[slug] = repeat + 1;
                anchors.Add(repeat == 0 ? slug : $"{slug}-{repeat}");
            }

            return anchors;
        }
    }

    /// <summary>The first cell of every table row, with the page's line number.</summary>
    public IEnumerable<(int Line, string FirstCell, string Row)> TableRows =>
        Text.Split('\n')
            .Select((line, index) => (Line: index + 1, Text: line))
            .Where(l => l.Text.StartsWith('|') && !l.Text.StartsWith("| ---", StringComparison.Ordinal))
            .Select(l => (l.Line, l.Text.Split('|')[1], l.Text));

    public static IEnumerable<string> CodeSpans(string text) => CodeSpan().Matches(text).Select(m => m.Groups["code"].Value);

    public override string ToString() => RelativePath;

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}[ \t]+(?<title>.+?)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}_\- ]")]
    private static partial Regex NotInSlug();

    [GeneratedRegex(@"`(?<code>[^`\n]+)`")]
    private static partial Regex CodeSpan();
}
