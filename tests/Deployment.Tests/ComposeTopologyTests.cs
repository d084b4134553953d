using Shop.Deployment.Tests.Infrastructure;

namespace Shop.Deployment.Tests;

/// <summary>The shape docker-compose.yml promises: what is published, how services wait for each other, what they share.</summary>
public sealed class ComposeTopologyTests
{
    readonly ComposeFile _compose = ComposeFile.Load();

    [Fact]
    public void Should_publish_only_the_api_the_management_ui_the_dashboard_and_the_optional_elasticsearch_on_the_loopback_interface()
    {
        var published = _compose.Services.Values.Where(s => s.Ports.Count > 0)
            .ToDictionary(s => s.Name, s => string.Join(",", s.Ports));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["orders-api"] = "127.0.0.1:5080:8080",
                ["rabbitmq"] = "127.0.0.1:15672:15672",
                ["dashboard"] = "127.0.0.1:18888:18888",
                // Profile elasticsearch only: for SHOP_TEST_ELASTICSEARCH and a look at the read model.
                ["elasticsearch"] = "127.0.0.1:9200:9200",
            }.OrderBy(e => e.Key),
            published.OrderBy(e => e.Key));
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_probe_readiness_with_the_service_binary(string project)
    {
        var service = ShopServices.Named(project);

        Assert.Equal(["CMD", "dotnet", service.AssemblyFile, "--probe", "/health/ready"], _compose.Services[service.ComposeName].HealthcheckTest);
    }

    /// <summary>One-shot set-up jobs: waited for until they have finished successfully, not until healthy.</summary>
    static readonly HashSet<string> OneShots = ["broker-users"];

    [Fact]
    public void Should_start_a_service_only_once_what_it_depends_on_is_healthy()
    {
        foreach (var service in _compose.Services.Values)
        {
            foreach (var (dependency, condition) in service.DependsOn)
            {
                if (OneShots.Contains(dependency))
                {
                    Assert.True(condition == "service_completed_successfully",
                        $"{service} waits for the one-shot {dependency} with {condition}, not service_completed_successfully");
                    continue;
                }

                Assert.True(condition == "service_healthy", $"{service} waits for {dependency} with {condition}, not service_healthy");
                var target = _compose.Services[dependency];
                Assert.True(target.HealthcheckTest.Count > 0 || target.Dockerfile is not null,
                    $"{service} waits for {dependency} to be healthy, but {dependency} has no health check");
                Assert.True(target.Profiles.Count == 0 || target.Profiles.SequenceEqual(service.Profiles),
                    $"{service} depends on {dependency}, which only runs in profile {string.Join(", ", target.Profiles)}");
            }
        }

        foreach (var service in ShopServices.All)
            Assert.Subset(_compose.Services[service.ComposeName].DependsOn.Keys.ToHashSet(), new HashSet<string> { "postgres", "rabbitmq", "broker-users" });
    }

    [Fact]
    public void Should_start_the_api_after_the_workers_have_bound_their_queues()
    {
        var api = _compose.Services[ShopServices.OrdersApi.ComposeName];

        Assert.Subset(api.DependsOn.Keys.ToHashSet(),
            ShopServices.All.Where(s => s != ShopServices.OrdersApi).Select(s => s.ComposeName).ToHashSet());
    }

    [Fact]
    public void Should_share_one_blob_volume_between_the_api_and_the_image_worker()
    {
        var mounts = new[] { ShopServices.OrdersApi, ShopServices.ImagesWorker }.Select(s =>
        {
            var service = _compose.Services[s.ComposeName];
            var root = service.Environment["BlobStorage__Disk__Root"];
            var mount = service.VolumeMounts.Select(v => v.Split(':')).SingleOrDefault(parts => parts.Length >= 2 && parts[1] == root);
            Assert.True(mount is not null, $"{service} keeps blobs in {root}, but mounts no volume there");
            return mount![0];
        }).Distinct().ToList();

        var volume = Assert.Single(mounts);
        Assert.Contains(volume, _compose.Volumes);
    }

    [Fact]
    public void Should_keep_data_in_named_volumes()
    {
        Assert.Contains(_compose.Services["postgres"].VolumeMounts, m => m.StartsWith("postgres:/var/lib/postgresql/data", StringComparison.Ordinal));
        Assert.Contains(_compose.Services["rabbitmq"].VolumeMounts, m => m.StartsWith("rabbitmq:/var/lib/rabbitmq", StringComparison.Ordinal));
        // Data lives in named volumes; only set-up scripts of the repository are mounted, read-only.
        foreach (var mount in _compose.Services.Values.SelectMany(s => s.VolumeMounts))
        {
            if (mount.StartsWith("./deploy/", StringComparison.Ordinal))
                Assert.EndsWith(":ro", mount);
            else
                Assert.Contains(mount.Split(':')[0], _compose.Volumes);
        }
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_point_the_service_at_hosts_that_compose_runs(string project)
    {
        var service = ShopServices.Named(project);
        var environment = _compose.Services[service.ComposeName].Environment;
        Assert.True(environment.TryGetValue(service.ConnectionStringVariable, out var connectionString),
            $"{service.ComposeName} has no {service.ConnectionStringVariable}");

        var name = service.ComposeName.Split('-')[0];
        Assert.Contains("Host=postgres;", connectionString);
        Assert.Contains($"Database=shop_{name}", connectionString);
        Assert.Equal("amqp://rabbitmq:5672/", environment["Messaging__RabbitMq__Url"]);
    }

    [Theory]
    [MemberData(nameof(ShopServices.Projects), MemberType = typeof(ShopServices))]
    public void Should_connect_as_the_service_s_own_logins_with_passwords_from_the_env_file(string project)
    {
        var service = ShopServices.Named(project);
        var environment = _compose.Services[service.ComposeName].Environment;
        var name = service.ComposeName.Split('-')[0];

        Assert.Contains($"Username=shop_{name};Password=${{SHOP_{name.ToUpperInvariant()}_DB_PASSWORD:-}};", environment[service.ConnectionStringVariable]);
        Assert.Equal(name, environment["Messaging__RabbitMq__Username"]);
        Assert.Equal($"${{SHOP_{name.ToUpperInvariant()}_BROKER_PASSWORD:-}}", environment["Messaging__RabbitMq__Password"]);
        Assert.Contains($"SHOP_{name.ToUpperInvariant()}_DB_PASSWORD", _compose.Services["postgres"].Environment.Keys);
        Assert.Contains($"SHOP_{name.ToUpperInvariant()}_BROKER_PASSWORD", _compose.Services["broker-users"].Environment.Keys);
    }
}
