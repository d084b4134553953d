using System.Text.Json;
using Shop.Deployment.Tests.Infrastructure;

namespace Shop.Deployment.Tests;

/// <summary>
/// What a Docker engine would make of docker-compose.yml, asked of Debian's docker-compose 1.29.2, which validates and
/// resolves a compose file without an engine. (It prints every service whatever the profile, so profiles are read from
/// the resolved file.)
/// </summary>
public sealed class ComposeValidationTests
{
    const string AwsEnvFile = "deploy/aws.env";
    const string ElasticsearchEnvFile = "deploy/elasticsearch.env";

    [Fact]
    public async Task Should_pass_docker_compose_config()
    {
        var result = await DockerCompose.Run("-f", ComposeFile.FileName, "config", "-q");

        Assert.True(result.ExitCode == 0, $"`docker-compose -f {ComposeFile.FileName} config -q` rejects the file: {result}");
    }

    [Fact]
    public async Task Should_run_on_rabbitmq_and_disk_blobs_without_fauxqs_by_default()
    {
        var resolved = await ResolvedConfig("-f", ComposeFile.FileName, "config");

        Assert.Equal(["aws"], resolved.Services["fauxqs"].Profiles);
        Assert.Equal(["elasticsearch"], resolved.Services["elasticsearch"].Profiles);
        foreach (var service in resolved.Services.Values.Where(s => s.Name is not ("fauxqs" or "elasticsearch")))
            Assert.True(service.Profiles.Count == 0, $"{service} only runs in profiles {string.Join(", ", service.Profiles)}; the default run needs it");
        foreach (var service in ShopServices.All)
            Assert.Equal("RabbitMq", resolved.Services[service.ComposeName].Environment["Messaging__Transport"]);
        foreach (var service in new[] { ShopServices.OrdersApi, ShopServices.ImagesWorker })
            Assert.Equal("Disk", resolved.Services[service.ComposeName].Environment["BlobStorage__Provider"]);
        foreach (var service in new[] { ShopServices.OrdersApi, ShopServices.SearchWorker })
            Assert.Equal("Relational", resolved.Services[service.ComposeName].Environment["ReadModel__Store"]);
    }

    [Fact]
    public async Task Should_move_the_read_model_to_elasticsearch_with_its_env_file()
    {
        var resolved = await ResolvedConfig("-f", ComposeFile.FileName, "--env-file", ElasticsearchEnvFile, "--profile", "elasticsearch", "config");

        var profiles = File.ReadAllLines(Repository.PathOf(ElasticsearchEnvFile)).Single(line => line.StartsWith("COMPOSE_PROFILES=", StringComparison.Ordinal));
        Assert.Equal("COMPOSE_PROFILES=elasticsearch", profiles);
        foreach (var service in new[] { ShopServices.OrdersApi, ShopServices.SearchWorker })
        {
            var environment = resolved.Services[service.ComposeName].Environment;
            Assert.Equal("Elasticsearch", environment["ReadModel__Store"]);
            Assert.Equal("http://elasticsearch:9200", environment["ReadModel__Elasticsearch__Url"]);
        }

        Assert.Equal("true", resolved.Services["elasticsearch"].Environment["xpack.security.enabled"]);
    }

    [Fact]
    public async Task Should_switch_every_service_to_sqs_and_s3_on_fauxqs_with_the_aws_env_file()
    {
        var resolved = await ResolvedConfig("-f", ComposeFile.FileName, "--env-file", AwsEnvFile, "--profile", "aws", "config");

        var profiles = File.ReadAllLines(Repository.PathOf(AwsEnvFile)).Single(line => line.StartsWith("COMPOSE_PROFILES=", StringComparison.Ordinal));
        Assert.Equal("COMPOSE_PROFILES=aws", profiles);
        foreach (var service in ShopServices.All)
            Assert.Equal("AmazonSqs", resolved.Services[service.ComposeName].Environment["Messaging__Transport"]);
        foreach (var service in new[] { ShopServices.OrdersApi, ShopServices.ImagesWorker })
        {
            var environment = resolved.Services[service.ComposeName].Environment;
            Assert.Equal("S3", environment["BlobStorage__Provider"]);
            Assert.StartsWith("http://fauxqs:", environment["BlobStorage__S3__ServiceUrl"]);
        }
    }

    [Fact]
    public void Should_create_the_bucket_both_blob_services_use_when_fauxqs_starts()
    {
        var compose = ComposeFile.Load();
        var bucket = compose.Services[ShopServices.OrdersApi.ComposeName].Environment["BlobStorage__S3__Bucket"];
        using var init = JsonDocument.Parse(Repository.Read("deploy/fauxqs/init.json"));

        Assert.Equal(bucket, compose.Services[ShopServices.ImagesWorker.ComposeName].Environment["BlobStorage__S3__Bucket"]);
        Assert.Contains(bucket, init.RootElement.GetProperty("buckets").EnumerateArray().Select(b => b.GetString()));
    }

    static async Task<ComposeFile> ResolvedConfig(params string[] arguments)
    {
        var result = await DockerCompose.Run(arguments);
        Assert.True(result.ExitCode == 0, $"`docker-compose {string.Join(' ', arguments)}` failed: {result}");
        return ComposeFile.Parse(result.Output);
    }
}
