using System.Text.RegularExpressions;

namespace Shop.Docs.Tests.Infrastructure;

/// <summary>
/// Setting names as docs/configuration.md writes them: a full key, then siblings by their last part
/// (<c>`Messaging:StartTimeout` / `StopTimeout`</c>), <c>:N</c> for an array's items and <c>:*</c> for a whole section.
/// </summary>
public static partial class SettingNames
{
    /// <summary>The full keys a piece of a table row names, siblings expanded.</summary>
    public static IEnumerable<string> In(string cell)
    {
        string? parent = null;
        foreach (var span in Markdown.CodeSpans(cell))
        {
            if (Key().IsMatch(span))
            {
                parent = span[..span.LastIndexOf(':')];
                yield return span;
            }
            else if (parent is not null && Sibling().IsMatch(span))
                yield return $"{parent}:{span}";
            else if (EnvironmentStyle().IsMatch(span))
                yield return span;
        }
    }

    /// <summary>The key without the <c>:N</c> and <c>:*</c> placeholders.</summary>
    public static string Concrete(string key) =>
        string.Join(':', key.Split(':').Where(part => part is not ("N" or "*")));

    /// <summary>
    /// Read by the code: named whole in an appsettings file or a string literal, or a section path a string literal names
    /// (what <c>GetSection</c> or a <c>SectionName</c> binds) followed by property names of the options classes.
    /// </summary>
    public static bool IsRead(string key)
    {
        var concrete = Concrete(key);
        if (AppSettings.KeysWithFile.ContainsKey(concrete) || SourceCode.StringLiterals.Contains(concrete))
            return true;

        var parts = concrete.Split(':');
        for (var sectionLength = parts.Length - 1; sectionLength > 0; sectionLength--)
        {
            if (SourceCode.StringLiterals.Contains(string.Join(':', parts[..sectionLength]))
                && parts[sectionLength..].All(SourceCode.PropertyNames.Contains))
                return true;
        }

        return false;
    }

    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]*(:([A-Z][A-Za-z0-9]*|N|\*))+$")]
    private static partial Regex Key();

    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex Sibling();

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")]
    private static partial Regex EnvironmentStyle();
}
