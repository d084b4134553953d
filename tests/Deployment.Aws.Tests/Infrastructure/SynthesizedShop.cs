using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Shop.Deploy.Aws;

namespace Shop.Deployment.Aws.Tests.Infrastructure;

/// <summary>
/// The whole app synthesised once for a set of context values (synthesis starts Node and takes seconds): the stacks,
/// their templates for CDK's assertions, and each template as JSON for the checks the assertions cannot express.
/// </summary>
public abstract class SynthesizedShop : IDisposable
{
    readonly string _outdir = Directory.CreateTempSubdirectory("shop-cdk-").FullName;

    protected SynthesizedShop(Dictionary<string, object> context)
    {
        // Fails loudly, with the reason, when Node 22 is missing: synthesis cannot run without it.
        NodeRuntime.EnsureOnPath(required: true);

        var app = new App(new AppProps { Context = context, Outdir = _outdir });
        Shop = new ShopApp(app, DeploymentSettings.FromContext(app));

        Messaging = Template.FromStack(Shop.Messaging);
        Data = Template.FromStack(Shop.Data);
        Services = Template.FromStack(Shop.Services);
        Network = Template.FromStack(Shop.Network);
    }

    public ShopApp Shop { get; }
    public Template Messaging { get; }
    public Template Data { get; }
    public Template Services { get; }
    public Template Network { get; }

    public IEnumerable<Template> All => [Network, Messaging, Data, Services];

    public static JsonObject Json(Template template) =>
        JsonNode.Parse(Newtonsoft.Json.JsonConvert.SerializeObject(template.ToJSON()))!.AsObject();

    /// <summary>Resources of one type, by logical id.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Resources(Template template, string type) =>
        Json(template)["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == type)
            .ToDictionary(r => r.Key, r => r.Value!.AsObject());

    /// <summary>Numbers come through jsii as doubles (80.0).</summary>
    public static int Int(System.Text.Json.Nodes.JsonNode node) => checked((int)node.GetValue<double>());

    public void Dispose()
    {
        try { Directory.Delete(_outdir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>Every worker on ECS, plain HTTP: the defaults.</summary>
public sealed class EcsShop() : SynthesizedShop(new Dictionary<string, object>
{
    ["environment"] = "dev",
    ["authAuthority"] = Issuer,
})
{
    public const string Issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example";
}

/// <summary>Payments and Images as Lambda functions, Notifications and Search on ECS, HTTPS with a certificate.</summary>
public sealed class LambdaShop() : SynthesizedShop(new Dictionary<string, object>
{
    ["environment"] = "prod",
    ["authAuthority"] = EcsShop.Issuer,
    ["authAudience"] = "shop-prod",
    ["payments"] = "lambda",
    ["images"] = "lambda",
    ["lambdaBatchSize"] = "7",
    ["lambdaMaxConcurrency"] = "3",
    ["certificateArn"] = CertificateArn,
})
{
    public const string CertificateArn = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000";
}

/// <summary>The read model in an existing Elasticsearch cluster instead of its own PostgreSQL database; every worker on ECS.</summary>
public sealed class ElasticsearchShop() : SynthesizedShop(new Dictionary<string, object>
{
    ["environment"] = "stage",
    ["authAuthority"] = EcsShop.Issuer,
    ["elasticsearchUrl"] = Url,
    ["elasticsearchSecretArn"] = SecretArn,
})
{
    public const string Url = "https://shop-search.es.eu-west-1.aws.elastic-cloud.com:443";
    public const string SecretArn = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:shop/stage/elasticsearch-AbC123";
}

/// <summary>
/// One collection for every test that touches CDK: jsii's Node process is shared and not safe for concurrent use, and each
/// configuration is synthesised once for the whole run.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SynthesisCollection : ICollectionFixture<EcsShop>, ICollectionFixture<LambdaShop>,
    ICollectionFixture<ElasticsearchShop>
{
    public const string Name = "CDK synthesis";
}
