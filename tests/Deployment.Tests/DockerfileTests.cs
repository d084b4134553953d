using System.IO.Enumeration;
using Shop.Deployment.Tests.Infrastructure;

namespace Shop.Deployment.Tests;

/// <summary>
/// Without a Docker engine, the next best thing to building the images: every file a Dockerfile copies exists and
/// reaches the build context, the restore layer holds exactly the projects the service references, and each image
/// publishes, runs and probes its own service.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> BuiltImages =>
        new(ComposeFile.Load().Services.Values.Where(s => s.Dockerfile is not null).Select(s => s.Name));

    [Theory]
    [MemberData(nameof(BuiltImages))]
    public void Should_copy_only_paths_that_exist_in_the_build_context(string composeService)
    {
        var service = ComposeFile.Load().Services[composeService];
        var dockerfile = DockerfileModel.Load(service.Dockerfile!);
        var ignored = DockerIgnorePatterns(service.BuildContext!);

        var copies = dockerfile.All("COPY").Where(c => !c.Flags.Any(f => f.StartsWith("--from=", StringComparison.Ordinal))).ToList();

        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            foreach (var source in copy.Operands.SkipLast(1))
            {
                var path = Path.Combine(Repository.PathOf(service.BuildContext!), source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile.Path} {copy}: {source} does not exist in the build context {service.BuildContext}");
                Assert.False(IsIgnored(source, ignored), $"{dockerfile.Path} {copy}: {source} is excluded by the .dockerignore of {service.BuildContext}");
            }
        }
    }

    [Fact]
    public void Should_build_every_service_image_that_compose_runs()
    {
        var built = ComposeFile.Load().Services.Values.Where(s => s.Dockerfile?.StartsWith("src/", StringComparison.Ordinal) == true)
            .ToDictionary(s => s.Name, s => s.Dockerfile);

        Assert.Equal(
            ShopServices.All.ToDictionary(s => s.ComposeName, s => (string?)s.Dockerfile).OrderBy(e => e.Key),
            built.OrderBy(e => e.Key));
        Assert.Equal(
            ShopServices.All.Select(s => s.Dockerfile).Order(),
            Directory.EnumerateFiles(Repository.PathOf("src"), "Dockerfile", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')).Order());
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_restore_with_exactly_the_projects_the_service_references_before_copying_sources(string project)
    {
        var service = ShopServices.Named(project);
        var dockerfile = DockerfileModel.Load(service.Dockerfile);
        var restore = Single(dockerfile, "RUN", "dotnet restore");
        var beforeRestore = dockerfile.All("COPY").Where(c => c.Line < restore.Line).SelectMany(c => c.Operands.SkipLast(1)).ToList();

        Assert.Equal(Repository.ProjectClosure(project).Order(), beforeRestore.Where(s => s.EndsWith(".csproj", StringComparison.Ordinal)).Order());
        Assert.Subset(beforeRestore.ToHashSet(), new HashSet<string> { "global.json", "Directory.Build.props", "Directory.Packages.props" });
        Assert.All(beforeRestore, source => Assert.False(source.EndsWith('/'), $"{dockerfile.Path} copies the folder {source} before restoring: source edits would invalidate the restore layer"));
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_publish_run_and_probe_its_own_project(string project)
    {
        var service = ShopServices.Named(project);
        var dockerfile = DockerfileModel.Load(service.Dockerfile);
        var csproj = $"src/{project}/{project}.csproj";
        var restore = Single(dockerfile, "RUN", "dotnet restore");
        var publish = Single(dockerfile, "RUN", "dotnet publish");
        var sourcesBeforePublish = dockerfile.All("COPY").Where(c => c.Line > restore.Line && c.Line < publish.Line)
            .SelectMany(c => c.Operands.SkipLast(1)).ToList();

        Assert.Equal(csproj, restore.Words[2]);
        Assert.Equal(csproj, publish.Words[2]);
        Assert.Contains("Release", publish.Words);
        Assert.Contains("--no-restore", publish.Words);
        // ReadyToRun for the image's architecture; publish without restore needs the restore to have asked for the same.
        foreach (var step in new[] { restore, publish })
        {
            Assert.Contains("-p:PublishReadyToRun=true", step.Words);
            var words = step.Words.ToList();
            Assert.Equal("${TARGETARCH:-amd64}", words.ElementAtOrDefault(words.IndexOf("-a") + 1));
        }
        // Inside the build stage: an ARG declared before FROM is not visible to the stage's RUN steps.
        Assert.Contains(dockerfile.All("ARG"), arg => arg.Arguments == "TARGETARCH" && arg.Stage == restore.Stage && arg.Line < restore.Line);
        Assert.Equal(Repository.ProjectClosure(project).Select(p => Path.GetDirectoryName(p)!.Replace('\\', '/') + "/").Order(), sourcesBeforePublish.Order());

        Assert.Equal(["dotnet", service.AssemblyFile], dockerfile.InFinalStage("ENTRYPOINT").Single().Words);
        var healthcheck = dockerfile.InFinalStage("HEALTHCHECK").Single().Arguments;
        var command = System.Text.Json.JsonSerializer.Deserialize<string[]>(healthcheck.AsSpan(healthcheck.IndexOf("CMD ", StringComparison.Ordinal) + 4));
        Assert.Equal(["dotnet", service.AssemblyFile, "--probe", "/health/live"], command!);
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_build_on_the_sdk_and_run_on_the_aspnet_runtime_as_the_app_user(string project)
    {
        var dockerfile = DockerfileModel.Load(ShopServices.Named(project).Dockerfile);
        var stages = dockerfile.All("FROM").Select(f => f.Words[0]).ToList();

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"], stages);
        Assert.Equal("$APP_UID", dockerfile.InFinalStage("USER").Single().Arguments);
        Assert.Equal("8080", dockerfile.RuntimeEnvironment["ASPNETCORE_HTTP_PORTS"]);
        Assert.Equal("8080", dockerfile.InFinalStage("EXPOSE").Single().Arguments);
        var copiedFromBuild = dockerfile.InFinalStage("COPY").Single();
        Assert.Contains("--from=build", copiedFromBuild.Flags);
    }

    static DockerInstruction Single(DockerfileModel dockerfile, string keyword, string command)
    {
        var matches = dockerfile.All(keyword).Where(i => i.Arguments.StartsWith(command, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1, $"{dockerfile.Path} should have one `{keyword} {command}`, has {matches.Count}");
        return matches[0];
    }

    static IReadOnlyList<string> DockerIgnorePatterns(string buildContext)
    {
        var file = Path.Combine(Repository.PathOf(buildContext), ".dockerignore");
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList()
            : [];
    }

    /// <summary>The .dockerignore rules this repository uses: plain paths (and everything under them) and <c>**/name</c> globs.</summary>
    static bool IsIgnored(string source, IReadOnlyList<string> patterns)
    {
        var path = source.TrimStart('.', '/').TrimEnd('/');
        var segments = path.Split('/');
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith('!'))
                throw new NotSupportedException($".dockerignore exception rules ({pattern}) are not understood by this test; extend {nameof(IsIgnored)}.");
            if (pattern.StartsWith("**/", StringComparison.Ordinal))
            {
                var name = pattern.Substring(3);
                if (segments.Any(segment => FileSystemName.MatchesSimpleExpression(name, segment, ignoreCase: false)))
                    return true;
            }
            else
            {
                var rule = pattern.TrimStart('/').TrimEnd('/');
                for (var i = 1; i <= segments.Length; i++)
                {
                    if (FileSystemName.MatchesSimpleExpression(rule, string.Join('/', segments[..i]), ignoreCase: false))
                        return true;
                }
            }
        }

        return false;
    }
}
