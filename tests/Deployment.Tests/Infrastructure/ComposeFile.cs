using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shop.Deployment.Tests.Infrastructure;

/// <summary>docker-compose.yml as written (anchors and <c>&lt;&lt;</c> merges resolved, <c>${VAR:-default}</c> left as is).</summary>
public sealed class ComposeFile
{
    public const string FileName = "docker-compose.yml";

    ComposeFile(IReadOnlyDictionary<string, ComposeService> services, IReadOnlyList<string> volumes)
    {
        Services = services;
        Volumes = volumes;
    }

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    /// <summary>The named volumes declared at the top level.</summary>
    public IReadOnlyList<string> Volumes { get; }

    public static ComposeFile Load() => Parse(Repository.Read(FileName));

    public static ComposeFile Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(new StringReader(yaml))));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;

        var services = Mapping(root, "services")!.Children.ToDictionary(
            entry => Scalar(entry.Key),
            entry => new ComposeService(Scalar(entry.Key), (YamlMappingNode)entry.Value));
        var volumes = Mapping(root, "volumes")?.Children.Keys.Select(Scalar).ToList() ?? [];
        return new ComposeFile(services, volumes);
    }

    internal static YamlMappingNode? Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value as YamlMappingNode : null;

    internal static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>A compose map of strings, in the map form or the <c>KEY=value</c> list form; empty when absent.</summary>
    internal static IReadOnlyDictionary<string, string> KeyValues(YamlNode? node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(e => Scalar(e.Key), e => Scalar(e.Value)),
        YamlSequenceNode list => list.Children.Select(Scalar).Select(item => item.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : ""),
        _ => new Dictionary<string, string>(),
    };

    internal static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";
}

public sealed class ComposeService(string name, YamlMappingNode node)
{
    public string Name { get; } = name;

    public string? Image => ComposeFile.Child(node, "image") is { } image ? ComposeFile.Scalar(image) : null;

    /// <summary>The variables the service sets, from the map form or the <c>KEY=value</c> list form.</summary>
    public IReadOnlyDictionary<string, string> Environment => ComposeFile.KeyValues(ComposeFile.Child(node, "environment"));

    public IReadOnlyList<string> Ports => Strings("ports");

    public IReadOnlyList<string> VolumeMounts => Strings("volumes");

    public IReadOnlyList<string> Profiles => Strings("profiles");

    /// <summary>The <c>test</c> of the service's own health check, in exec form; empty when it has none.</summary>
    public IReadOnlyList<string> HealthcheckTest =>
        ComposeFile.Mapping(node, "healthcheck") is { } healthcheck && ComposeFile.Child(healthcheck, "test") is YamlSequenceNode test
            ? test.Children.Select(ComposeFile.Scalar).ToList()
            : [];

    /// <summary>Dependencies and their condition (<c>service_started</c> for the short list form).</summary>
    public IReadOnlyDictionary<string, string> DependsOn => ComposeFile.Child(node, "depends_on") switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            e => ComposeFile.Scalar(e.Key),
            e => e.Value is YamlMappingNode options && ComposeFile.Child(options, "condition") is { } condition
                ? ComposeFile.Scalar(condition)
                : "service_started"),
        YamlSequenceNode list => list.Children.ToDictionary(ComposeFile.Scalar, _ => "service_started"),
        _ => new Dictionary<string, string>(),
    };

    /// <summary>The build context, relative to the repository root; null for a pulled image.</summary>
    public string? BuildContext => ComposeFile.Child(node, "build") switch
    {
        YamlScalarNode context => Clean(context.Value ?? "."),
        YamlMappingNode build => Clean(ComposeFile.Child(build, "context") is { } context ? ComposeFile.Scalar(context) : "."),
        _ => null,
    };

    /// <summary>The Dockerfile the service is built from, relative to the repository root; null for a pulled image.</summary>
    public string? Dockerfile => BuildContext is not { } context
        ? null
        : Clean(Path.Combine(context, ComposeFile.Child(node, "build") is YamlMappingNode build && ComposeFile.Child(build, "dockerfile") is { } file
            ? ComposeFile.Scalar(file)
            : "Dockerfile"));

    /// <summary>The build arguments (<c>build.args</c>), from the map form or the <c>KEY=value</c> list form.</summary>
    public IReadOnlyDictionary<string, string> BuildArgs =>
        ComposeFile.Child(node, "build") is YamlMappingNode build ? ComposeFile.KeyValues(ComposeFile.Child(build, "args")) : new Dictionary<string, string>();

    static string Clean(string path) => Path.GetRelativePath(Repository.Root, Repository.PathOf(path)).Replace('\\', '/');

    IReadOnlyList<string> Strings(string key) =>
        ComposeFile.Child(node, key) is YamlSequenceNode list ? list.Children.Select(ComposeFile.Scalar).ToList() : [];

    public override string ToString() => Name;
}
