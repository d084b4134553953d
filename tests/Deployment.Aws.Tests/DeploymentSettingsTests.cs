using Amazon.CDK;
using Shop.Deploy.Aws;
using Shop.Deployment.Aws.Tests.Infrastructure;

namespace Shop.Deployment.Aws.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class DeploymentSettingsTests
{
    static DeploymentSettings From(Dictionary<string, object> context)
    {
        NodeRuntime.EnsureOnPath(required: true);
        context.TryAdd("authAuthority", EcsShop.Issuer);
        return DeploymentSettings.FromContext(new App(new AppProps { Context = context }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://issuer.example.com/")]
    [InlineData("not a url")]
    public void Should_refuse_to_deploy_the_api_without_an_https_token_issuer(string? authority)
    {
        var context = new Dictionary<string, object> { ["authAuthority"] = authority ?? "" };
        var error = Assert.Throws<ArgumentException>(() => From(context));
        Assert.Contains("authAuthority", error.Message);
    }

    [Fact]
    public void Should_run_every_worker_on_ecs_unless_told_otherwise()
    {
        var settings = From(new Dictionary<string, object> { ["notifications"] = "Lambda" });

        Assert.Equal(WorkerHost.Lambda, settings.HostOf(Shop.Deploy.Aws.Topology.ShopService.Notifications));
        Assert.Equal(WorkerHost.Ecs, settings.HostOf(Shop.Deploy.Aws.Topology.ShopService.Payments));
        Assert.Equal("dev-", settings.QueuePrefix);
    }

    [Fact]
    public void Should_refuse_an_unknown_host()
    {
        var error = Assert.Throws<ArgumentException>(() => From(new Dictionary<string, object> { ["payments"] = "kubernetes" }));
        Assert.Contains("payments=kubernetes", error.Message);
    }

    [Fact]
    public void Should_refuse_lambda_concurrency_beyond_the_database_connection_budget()
    {
        var error = Assert.Throws<ArgumentException>(() => From(new Dictionary<string, object>
        {
            ["payments"] = "lambda", ["images"] = "lambda", ["lambdaMaxConcurrency"] = "20", ["databaseMaxConnections"] = "100",
        }));
        Assert.Contains("database connections", error.Message);
    }

    [Fact]
    public void Should_refuse_to_run_search_worker_as_a_lambda_function_and_say_why()
    {
        var error = Assert.Throws<ArgumentException>(() => From(new Dictionary<string, object> { ["search"] = "lambda" }));

        Assert.Contains("search=lambda", error.Message);
        Assert.Contains("batch consumers", error.Message);
        Assert.Equal(WorkerHost.Ecs, From(new Dictionary<string, object> { ["search"] = "ecs" }).HostOf(Shop.Deploy.Aws.Topology.ShopService.Search));
    }

    [Theory]
    [InlineData("http://search.example.com:9200", ElasticsearchShop.SecretArn, "elasticsearchUrl")]
    [InlineData("https://search.example.com", null, "elasticsearchSecretArn")]
    [InlineData("https://search.example.com", "shop/stage/elasticsearch", "elasticsearchSecretArn")]
    [InlineData(null, ElasticsearchShop.SecretArn, "elasticsearchSecretArn")]
    public void Should_refuse_an_elasticsearch_read_model_without_https_or_the_complete_arn_of_its_secret(string? url, string? secret, string named)
    {
        var context = new Dictionary<string, object>();
        if (url is not null) context["elasticsearchUrl"] = url;
        if (secret is not null) context["elasticsearchSecretArn"] = secret;

        var error = Assert.Throws<ArgumentException>(() => From(context));
        Assert.StartsWith(named, error.Message);
    }

    [Fact]
    public void Should_keep_the_read_model_in_postgresql_unless_a_cluster_is_given()
    {
        var settings = From([]);

        Assert.False(settings.ReadModelInElasticsearch);
        Assert.Contains(Shop.Deploy.Aws.Topology.ShopService.Search, settings.DatabaseServices);
        Assert.Single(settings.DatabaseReads);
    }
}
