using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shop.Deployment.Tests.Infrastructure;

/// <summary>One instruction of a Dockerfile, continuation lines joined, with the stage it belongs to.</summary>
public sealed record DockerInstruction(string Keyword, string Arguments, int Stage, int Line)
{
    /// <summary>The arguments as words: the JSON exec form, or split on whitespace after the <c>--flags</c>.</summary>
    public IReadOnlyList<string> Words =>
        Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(Arguments)! : Arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<string> Flags => Words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();

    public IReadOnlyList<string> Operands => Words.SkipWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";
}

/// <summary>
/// A Dockerfile read well enough to check what it copies, runs and sets (no heredocs). Of the variables, only the build
/// arguments it is loaded with are expanded (<c>$NAME</c>, <c>${NAME}</c>), as a build with those arguments would.
/// </summary>
public sealed partial class DockerfileModel
{
    DockerfileModel(string path, IReadOnlyList<DockerInstruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public int FinalStage => Instructions.Max(i => i.Stage);

    public IEnumerable<DockerInstruction> All(string keyword) =>
        Instructions.Where(i => string.Equals(i.Keyword, keyword, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<DockerInstruction> InFinalStage(string keyword) => All(keyword).Where(i => i.Stage == FinalStage);

    /// <summary>The <c>ENV</c> variables of the final (runtime) stage, in the <c>KEY=value</c> form.</summary>
    public IReadOnlyDictionary<string, string> RuntimeEnvironment =>
        InFinalStage("ENV").SelectMany(i => i.Words).Select(word => word.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");

    public static DockerfileModel Load(string relativePath, IReadOnlyDictionary<string, string>? buildArgs = null) =>
        Parse(relativePath, Repository.Read(relativePath), buildArgs);

    public static DockerfileModel Parse(string path, string text, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        if (buildArgs is { Count: > 0 })
        {
            text = BuildArgReference().Replace(text, match =>
                buildArgs.TryGetValue(match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["plain"].Value, out var value)
                    ? value
                    : match.Value);
        }

        var instructions = new List<DockerInstruction>();
        var stage = -1;
        var pending = "";
        var startLine = 0;
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                continue;
            if (pending.Length > 0 && line.StartsWith('#'))
                continue;
            if (pending.Length == 0)
                startLine = index + 1;

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var full = (pending + line).Trim();
            pending = "";
            var space = full.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? full : full[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : full[(space + 1)..].Trim();
            if (keyword == "FROM")
                stage++;
            instructions.Add(new DockerInstruction(keyword, arguments, stage, startLine));
        }

        return new DockerfileModel(path, instructions);
    }

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<plain>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex BuildArgReference();
}
