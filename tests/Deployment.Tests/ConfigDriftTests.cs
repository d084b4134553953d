using Shop.Deployment.Tests.Infrastructure;

namespace Shop.Deployment.Tests;

/// <summary>
/// Every variable docker-compose.yml and the Dockerfile set for a service is a setting that service reads: a key of its
/// appsettings.json, of an options class it binds, or one it reads directly. A renamed option or a typo in the compose
/// file fails here instead of being silently ignored at run time.
/// </summary>
public sealed class ConfigDriftTests
{
    /// <summary>Read by the ASP.NET Core host itself, not by Shop code.</summary>
    static readonly HashSet<string> HostVariables = new(StringComparer.Ordinal)
    {
        "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
    };

    /// <summary>Sections the host binds on its own (log levels per category, host filtering).</summary>
    static readonly string[] HostSections = ["Logging:", "AllowedHosts"];

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_read_every_variable_the_compose_file_sets_for_the_service(string project)
    {
        var service = ShopServices.Named(project);
        var variables = ComposeFile.Load().Services[service.ComposeName].Environment.Keys;

        var unread = Unread(service, variables);

        Assert.True(unread.Count == 0,
            $"{ComposeFile.FileName} sets variables {service.ComposeName} does not read: {string.Join(", ", unread)}. " +
            $"It reads: {string.Join(", ", KnownSettings(service).Order())}");
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_read_every_variable_its_dockerfile_sets(string project)
    {
        var service = ShopServices.Named(project);
        var variables = DockerfileTests.ImageOf(project).RuntimeEnvironment.Keys.Where(variable => variable != DockerfileTests.AssemblyVariable).ToList();

        var unread = Unread(service, variables);

        Assert.NotEmpty(variables);
        Assert.True(unread.Count == 0, $"{DockerfileTests.ServiceDockerfile} (SERVICE={project}) sets variables {project} does not read: {string.Join(", ", unread)}");
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_find_every_listed_section_and_key_in_the_code_the_service_runs(string project)
    {
        var service = ShopServices.Named(project);
        var closure = Repository.ProjectClosure(project);
        var code = string.Join('\n', Repository.SourcesOf(project).Select(File.ReadAllText));
        var appsettings = AppSettingsKeys(service);

        foreach (var section in service.Sections)
        {
            Assert.True(code.Contains($"\"{section.Path}\"", StringComparison.Ordinal),
                $"{project} is listed as binding section {section.Path}, but no code of {project} or its references names it");
            var optionsProject = section.Options.Assembly.GetName().Name!.Replace("Shop.", "", StringComparison.Ordinal);
            Assert.True(closure.Contains($"src/{optionsProject}/{optionsProject}.csproj"),
                $"{project} is listed as binding {section.Options.Name}, which lives in {optionsProject}, a project it does not reference");
        }

        foreach (var key in service.ReadKeys)
        {
            Assert.True(appsettings.Contains(key) || code.Contains($"\"{key}\"", StringComparison.Ordinal),
                $"{project} is listed as reading {key}, which is neither in its appsettings.json nor named in its code");
        }
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_list_every_setting_of_the_service_appsettings(string project)
    {
        // Keeps the hand-made list complete: a new section in appsettings.json must be added to ShopServices too.
        var service = ShopServices.Named(project);
        var listed = ListedSettings(service);

        var unlisted = AppSettingsKeys(service).Where(key => !IsHostSetting(key) && !listed.Contains(key)).Order().ToList();

        Assert.True(unlisted.Count == 0,
            $"src/{project}/appsettings.json has settings no options class listed for {project} in ShopServices binds: {string.Join(", ", unlisted)}");
    }

    static List<string> Unread(ShopService service, IEnumerable<string> variables)
    {
        var known = KnownSettings(service);
        return variables
            .Where(variable => !HostVariables.Contains(variable))
            .Where(variable =>
            {
                var key = ConfigurationKeys.FromEnvironmentVariable(variable);
                return !known.Contains(key) && !IsHostSetting(key);
            })
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    static HashSet<string> KnownSettings(ShopService service)
    {
        var known = ListedSettings(service);
        known.UnionWith(AppSettingsKeys(service));
        return known;
    }

    static HashSet<string> ListedSettings(ShopService service)
    {
        var listed = new HashSet<string>(service.ReadKeys.Select(ConfigurationKeys.Normalize), ConfigurationKeys.Comparer);
        foreach (var section in service.Sections)
            listed.UnionWith(ConfigurationKeys.OfOptions(section.Path, section.Options));
        return listed;
    }

    static IReadOnlySet<string> AppSettingsKeys(ShopService service) =>
        ConfigurationKeys.OfJsonFile(Repository.PathOf($"src/{service.Project}/appsettings.json"));

    static bool IsHostSetting(string key) =>
        HostSections.Any(section => section.EndsWith(':')
            ? key.StartsWith(section, StringComparison.OrdinalIgnoreCase)
            : string.Equals(key, section, StringComparison.OrdinalIgnoreCase));
}
