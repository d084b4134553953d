using System.IO.Enumeration;
using Shop.Deployment.Tests.Infrastructure;

namespace Shop.Deployment.Tests;

/// <summary>
/// Without a Docker engine, the next best thing to building the images: every file the Dockerfile copies exists and
/// reaches the build context, the restore layer holds exactly the projects the services reference, and each image,
/// built with its <c>SERVICE</c> argument, publishes, runs and probes its own service.
/// </summary>
public sealed class DockerfileTests
{
    /// <summary>The one Dockerfile every service image is built from, with <c>--build-arg SERVICE=&lt;project&gt;</c>.</summary>
    public const string ServiceDockerfile = "Dockerfile";

    /// <summary>The image's variable that names the service's assembly, for its entry point and health check.</summary>
    public const string AssemblyVariable = "SHOP_ASSEMBLY";

    public static TheoryData<string> BuiltImages =>
        new(ComposeFile.Load().Services.Values.Where(s => s.Dockerfile is not null).Select(s => s.Name));

    /// <summary>The Dockerfile as built for <paramref name="project"/>: its build arguments expanded.</summary>
    public static DockerfileModel ImageOf(string project) =>
        DockerfileModel.Load(ServiceDockerfile, new Dictionary<string, string> { ["SERVICE"] = project });

    [Theory]
    [MemberData(nameof(BuiltImages))]
    public void Should_copy_only_paths_that_exist_in_the_build_context(string composeService)
    {
        var service = ComposeFile.Load().Services[composeService];
        var dockerfile = DockerfileModel.Load(service.Dockerfile!, service.BuildArgs);
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
    public void Should_build_every_service_image_that_compose_runs_from_the_one_dockerfile()
    {
        var built = ComposeFile.Load().Services.Values.Where(s => s.Dockerfile == ServiceDockerfile)
            .ToDictionary(s => s.Name, s => s.BuildArgs.GetValueOrDefault("SERVICE"));

        Assert.Equal(
            ShopServices.All.ToDictionary(s => s.ComposeName, s => (string?)s.Project).OrderBy(e => e.Key),
            built.OrderBy(e => e.Key));
        Assert.Empty(Directory.EnumerateFiles(Repository.PathOf("src"), "Dockerfile", SearchOption.AllDirectories));
    }

    [Fact]
    public void Should_restore_with_exactly_the_projects_the_services_reference_before_copying_sources()
    {
        var dockerfile = DockerfileModel.Load(ServiceDockerfile);
        var restore = Single(dockerfile, "RUN", "dotnet restore");
        var beforeRestore = dockerfile.All("COPY").Where(c => c.Line < restore.Line).SelectMany(c => c.Operands.SkipLast(1)).ToList();

        Assert.Equal(AllServiceProjects().Order(), beforeRestore.Where(s => s.EndsWith(".csproj", StringComparison.Ordinal)).Order());
        Assert.Subset(beforeRestore.ToHashSet(), new HashSet<string> { "global.json", "Directory.Build.props", "Directory.Packages.props" });
        Assert.All(beforeRestore, source => Assert.False(source.EndsWith('/'), $"{dockerfile.Path} copies the folder {source} before restoring: source edits would invalidate the restore layer"));
    }

    [Fact]
    public void Should_copy_the_sources_of_exactly_the_projects_the_services_reference_before_publishing()
    {
        var dockerfile = DockerfileModel.Load(ServiceDockerfile);
        var restore = Single(dockerfile, "RUN", "dotnet restore");
        var publish = Single(dockerfile, "RUN", "dotnet publish");
        var sourcesBeforePublish = dockerfile.All("COPY").Where(c => c.Line > restore.Line && c.Line < publish.Line)
            .SelectMany(c => c.Operands.SkipLast(1)).ToList();

        Assert.Equal(AllServiceProjects().Select(p => Path.GetDirectoryName(p)!.Replace('\\', '/') + "/").Order(), sourcesBeforePublish.Order());
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_publish_run_and_probe_its_own_project(string project)
    {
        var service = ShopServices.Named(project);
        var dockerfile = ImageOf(project);
        var csproj = $"src/{project}/{project}.csproj";
        var restore = Single(dockerfile, "RUN", "dotnet restore");
        var publish = Single(dockerfile, "RUN", "dotnet publish");

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

        // Inside each stage that uses them: an ARG declared before FROM, or in another stage, is not visible to its steps.
        Assert.Contains(dockerfile.All("ARG"), arg => arg.Arguments == "TARGETARCH" && arg.Stage == restore.Stage && arg.Line < restore.Line);
        Assert.Contains(dockerfile.All("ARG"), arg => arg.Arguments == "SERVICE" && arg.Stage == restore.Stage && arg.Line < restore.Line);
        var environment = dockerfile.InFinalStage("ENV").Single();
        Assert.Contains(dockerfile.InFinalStage("ARG"), arg => arg.Arguments == "SERVICE" && arg.Line < environment.Line);

        // Exec-form commands do not expand variables: the entry point and the health check go through a shell to name
        // the assembly by the image's environment, set from SERVICE at build time. HealthProbeTests runs both.
        Assert.Equal(service.AssemblyFile, dockerfile.RuntimeEnvironment[AssemblyVariable]);
        Assert.Equal(["/bin/sh", "-c"], dockerfile.InFinalStage("ENTRYPOINT").Single().Words.Take(2));
        Assert.Contains($"${AssemblyVariable}", dockerfile.InFinalStage("ENTRYPOINT").Single().Words[2], StringComparison.Ordinal);
        Assert.EndsWith($"CMD dotnet \"${AssemblyVariable}\" --probe /health/live", dockerfile.InFinalStage("HEALTHCHECK").Single().Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_build_on_the_sdk_and_run_on_the_aspnet_runtime_as_the_app_user(string project)
    {
        var dockerfile = ImageOf(project);
        var stages = dockerfile.All("FROM").Select(f => f.Words[0]).ToList();

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"], stages);
        Assert.Equal("$APP_UID", dockerfile.InFinalStage("USER").Single().Arguments);
        Assert.Equal("8080", dockerfile.RuntimeEnvironment["ASPNETCORE_HTTP_PORTS"]);
        Assert.Equal("8080", dockerfile.InFinalStage("EXPOSE").Single().Arguments);
        var copiedFromBuild = dockerfile.InFinalStage("COPY").Single();
        Assert.Contains("--from=build", copiedFromBuild.Flags);
    }

    /// <summary>Every project some service image builds, each once: the union of the services' project closures.</summary>
    static IReadOnlyList<string> AllServiceProjects() =>
        ShopServices.All.SelectMany(s => Repository.ProjectClosure(s.Project)).Distinct().ToList();

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
