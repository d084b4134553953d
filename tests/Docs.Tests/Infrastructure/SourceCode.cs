using System.Text.RegularExpressions;

namespace Shop.Docs.Tests.Infrastructure;

/// <summary>
/// What the docs are checked against, read from <c>src/</c> as text: string literals, property names and the HTTP
/// routes the minimal APIs map. Text, not reflection, so the test project needs no reference to the services.
/// </summary>
public static partial class SourceCode
{
    static readonly IReadOnlyList<string> Files = Repository.SourceFiles.Select(File.ReadAllText).ToList();

    public static IReadOnlySet<string> StringLiterals { get; } =
        Files.SelectMany(text => StringLiteral().Matches(text)).Select(m => m.Groups["value"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Names of public properties with a getter: what a configuration binder can fill.</summary>
    public static IReadOnlySet<string> PropertyNames { get; } =
        Files.SelectMany(text => Property().Matches(text)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every <c>METHOD /path</c> the sources map, group prefixes applied, parameters written <c>{}</c>.</summary>
    public static IReadOnlySet<string> Routes { get; } = MappedRoutes();

    public static string NormaliseRoute(string path)
    {
        var normal = RouteParameter().Replace(path, "{}").TrimEnd('/');
        return normal.Length == 0 ? "/" : normal;
    }

    static HashSet<string> MappedRoutes()
    {
        // app.MapGroup("/orders").WithTags(...).MapOrdersEndpoints(): the group an extension method's routes go under.
        var groupsOfMethod = Files.SelectMany(text => GroupPassedToMethod().Matches(text))
            .ToLookup(m => m.Groups["method"].Value, m => m.Groups["prefix"].Value);

        var routes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in Files)
        {
            var constants = Constant().Matches(text)
                .GroupBy(m => m.Groups["name"].Value)
                .ToDictionary(g => g.Key, g => g.First().Groups["value"].Value);
            var groupVariables = GroupVariable().Matches(text)
                .GroupBy(m => m.Groups["variable"].Value)
                .ToDictionary(g => g.Key, g => g.Last().Groups["prefix"].Value);
            // The receiver of an extension method that some MapGroup(...) chain calls: its routes go under that group.
            var groupParameters = ExtensionReceiver().Matches(text)
                .Where(m => groupsOfMethod.Contains(m.Groups["method"].Value))
                .ToLookup(m => m.Groups["parameter"].Value, m => m.Groups["method"].Value);

            foreach (Match map in MapCall().Matches(text))
            {
                var argument = map.Groups["route"].Value;
                var route = argument.StartsWith('"') ? argument.Trim('"') : constants.GetValueOrDefault(argument);
                if (route is null)
                    continue;

                var receiver = map.Groups["receiver"].Value;
                var prefixes = groupVariables.TryGetValue(receiver, out var prefix) ? [prefix]
                    : groupParameters.Contains(receiver) ? groupParameters[receiver].SelectMany(method => groupsOfMethod[method])
                    : [""];
                var verb = map.Groups["verb"].Value is "HealthChecks" ? "GET" : map.Groups["verb"].Value.ToUpperInvariant();
                foreach (var p in prefixes)
                    routes.Add($"{verb} {NormaliseRoute(p + route)}");
            }
        }

        return routes;
    }

    [GeneratedRegex(@"(?<!@)""(?<value>(?:[^""\\\n]|\\.)*)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"public\s+(?:required\s+)?[\w<>\[\]?,.]+(?:\s*<[^>]*>)?\??\s+(?<name>\w+)\s*\{\s*get")]
    private static partial Regex Property();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"const\s+string\s+(?<name>\w+)\s*=\s*""(?<value>[^""]*)""")]
    private static partial Regex Constant();

    [GeneratedRegex(@"\.MapGroup\(\s*""(?<prefix>[^""]*)""\s*\)[^;]*?\.(?<method>\w+)\(\s*\)")]
    private static partial Regex GroupPassedToMethod();

    [GeneratedRegex(@"var\s+(?<variable>\w+)\s*=\s*\w+\.MapGroup\(\s*""(?<prefix>[^""]*)""")]
    private static partial Regex GroupVariable();

    [GeneratedRegex(@"(?<method>\w+)\(\s*this\s+\w+\s+(?<parameter>\w+)\s*[,)]")]
    private static partial Regex ExtensionReceiver();

    [GeneratedRegex(@"(?<receiver>\w+)\s*\.Map(?<verb>Get|Post|Put|Delete|Patch|HealthChecks)\(\s*(?<route>""[^""]*""|\w+)\s*[,)]")]
    private static partial Regex MapCall();
}
