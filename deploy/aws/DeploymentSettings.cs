using Amazon.CDK;
using Shop.Deploy.Aws.Topology;

namespace Shop.Deploy.Aws;

/// <summary>How a worker runs: an ECS Fargate service polling its queues, or a Lambda function fed by them.</summary>
public enum WorkerHost { Ecs, Lambda }

/// <summary>
/// Everything an environment chooses, read from CDK context (<c>cdk deploy -c environment=prod -c payments=lambda</c>,
/// <c>cdk.json</c>, or <c>CDK_CONTEXT_JSON</c>). Defaults give a small, cheap development environment.
/// </summary>
public sealed record DeploymentSettings
{
    /// <summary>Short environment name: stack names, resource names, and (with a dash) the queue and topic prefix.</summary>
    public string Environment { get; init; } = "dev";

    public string? Account { get; init; }
    public string? Region { get; init; }

    /// <summary>An existing VPC to deploy into instead of creating one (needs account and region for the lookup).</summary>
    public string? VpcId { get; init; }

    /// <summary>NAT gateways of a new VPC: each costs by the hour; 1 for development, one per zone for production.</summary>
    public int NatGateways { get; init; } = 1;

    /// <summary>The tag (or <c>sha256:</c> digest) of every service image in its ECR repository; a new tag rolls out a new image.</summary>
    public string ImageTag { get; init; } = "latest";

    /// <summary>An ACM certificate for the load balancer; with it the API is served on HTTPS and HTTP redirects.</summary>
    public string? CertificateArn { get; init; }

    /// <summary>Where the services send traces and metrics (OTLP); none when empty.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>
    /// The OpenID Connect provider whose tokens Orders.Api accepts (<c>Auth:Authority</c>, docs/security.md). Required: the
    /// API refuses to start without an issuer, and the local development issuer has no place in a deployment.
    /// </summary>
    public string? AuthAuthority { get; init; }

    /// <summary>The audience a token must carry (<c>Auth:Audience</c>).</summary>
    public string AuthAudience { get; init; } = "shop-api";

    public string DatabaseInstanceType { get; init; } = "t4g.micro";
    public bool DatabaseMultiAz { get; init; }

    /// <summary>Connections the database accepts in total; Lambda concurrency is checked against it.</summary>
    public int DatabaseMaxConnections { get; init; } = 80;

    public IReadOnlyDictionary<string, WorkerHost> WorkerHosts { get; init; } = new Dictionary<string, WorkerHost>();

    public int ApiDesiredCount { get; init; } = 2;
    public int WorkerMaxCount { get; init; } = 4;

    /// <summary>Records per Lambda invocation (SQS allows 1–10 without a batching window).</summary>
    public int LambdaBatchSize { get; init; } = 10;

    /// <summary>Concurrent invocations per event source (SQS's minimum is 2).</summary>
    public int LambdaMaxConcurrency { get; init; } = 5;

    public int LambdaTimeoutSeconds { get; init; } = 60;
    public int LambdaMemoryMb { get; init; } = 1024;

    /// <summary>
    /// An existing Elasticsearch cluster for the read model (<c>ReadModel:Store=Elasticsearch</c>), by its <c>https://</c>
    /// URL; none: the read model is a PostgreSQL database of its own on the shop's instance (the default).
    /// </summary>
    public string? ElasticsearchUrl { get; init; }

    /// <summary>
    /// The complete ARN of a Secrets Manager secret holding the cluster's user as JSON, <c>{"username":…,"password":…}</c>
    /// (the adapter authenticates with basic authentication); required with <see cref="ElasticsearchUrl"/>.
    /// </summary>
    public string? ElasticsearchSecretArn { get; init; }

    /// <summary>Where the read model lives: Search.Worker has a database of its own only when it is relational.</summary>
    public bool ReadModelInElasticsearch => ElasticsearchUrl is not null;

    /// <summary>Services with a database (and a login) of their own on the shop's PostgreSQL instance.</summary>
    public IReadOnlyList<ShopService> DatabaseServices =>
        ShopService.All.Where(s => s != ShopService.Search || !ReadModelInElasticsearch).ToList();

    /// <summary>Reads of another service's database that this deployment grants (none to a read model in Elasticsearch).</summary>
    public IReadOnlyList<DatabaseRead> DatabaseReads =>
        ShopService.DatabaseReads.Where(read => DatabaseServices.Contains(read.Owner)).ToList();

    /// <summary>Keep the database and bucket when the stacks are deleted (production); development destroys them.</summary>
    public bool RetainData { get; init; }

    public string QueuePrefix => Environment + "-";
    public string StackPrefix => "Shop-" + Environment;

    public WorkerHost HostOf(ShopService worker) =>
        WorkerHosts.TryGetValue(worker.Name, out var host) ? host : WorkerHost.Ecs;

    public static DeploymentSettings FromContext(Amazon.CDK.App app)
    {
        string? Get(string key) => app.Node.TryGetContext(key)?.ToString() is { Length: > 0 } value ? value : null;
        int GetInt(string key, int fallback) => Get(key) is { } value
            ? int.TryParse(value, out var parsed) && parsed >= 0 ? parsed : throw new ArgumentException($"Context {key}={value} is not a non-negative number.")
            : fallback;

        var hosts = new Dictionary<string, WorkerHost>();
        foreach (var worker in ShopService.Workers)
        {
            if (Get(worker.Name) is not { } value) continue;
            hosts[worker.Name] = Enum.TryParse<WorkerHost>(value, ignoreCase: true, out var host)
                ? host
                : throw new ArgumentException($"Context {worker.Name}={value}: use ecs or lambda.");
        }

        var defaults = new DeploymentSettings();
        var settings = new DeploymentSettings
        {
            Environment = Get("environment") ?? defaults.Environment,
            Account = Get("account") ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
            Region = Get("region") ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"),
            VpcId = Get("vpcId"),
            NatGateways = GetInt("natGateways", defaults.NatGateways),
            ImageTag = Get("imageTag") ?? defaults.ImageTag,
            CertificateArn = Get("certificateArn"),
            OtlpEndpoint = Get("otlpEndpoint"),
            AuthAuthority = Get("authAuthority"),
            AuthAudience = Get("authAudience") ?? defaults.AuthAudience,
            DatabaseInstanceType = Get("databaseInstanceType") ?? defaults.DatabaseInstanceType,
            DatabaseMultiAz = bool.TryParse(Get("databaseMultiAz"), out var multiAz) && multiAz,
            DatabaseMaxConnections = GetInt("databaseMaxConnections", defaults.DatabaseMaxConnections),
            WorkerHosts = hosts,
            ApiDesiredCount = GetInt("apiDesiredCount", defaults.ApiDesiredCount),
            WorkerMaxCount = GetInt("workerMaxCount", defaults.WorkerMaxCount),
            LambdaBatchSize = GetInt("lambdaBatchSize", defaults.LambdaBatchSize),
            LambdaMaxConcurrency = GetInt("lambdaMaxConcurrency", defaults.LambdaMaxConcurrency),
            LambdaTimeoutSeconds = GetInt("lambdaTimeoutSeconds", defaults.LambdaTimeoutSeconds),
            LambdaMemoryMb = GetInt("lambdaMemoryMb", defaults.LambdaMemoryMb),
            RetainData = bool.TryParse(Get("retainData"), out var retain) && retain,
            ElasticsearchUrl = Get("elasticsearchUrl"),
            ElasticsearchSecretArn = Get("elasticsearchSecretArn"),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        if (Environment.Length is 0 or > 20 || !Environment.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
            throw new ArgumentException($"environment '{Environment}': 1–20 lower-case letters or digits.");
        if (!Uri.TryCreate(AuthAuthority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException(
                $"authAuthority '{AuthAuthority}': the https:// address of the identity provider whose tokens Orders.Api accepts " +
                "(e.g. a Cognito user pool's issuer); the API does not start without one (docs/security.md).");
        foreach (var worker in ShopService.Workers)
            if (HostOf(worker) == WorkerHost.Lambda && worker.NotOnLambda is { } reason)
                throw new ArgumentException($"{worker.Name}=lambda: {worker.Project} cannot run as a Lambda function: {reason}.");
        if (ElasticsearchUrl is not null &&
            (!Uri.TryCreate(ElasticsearchUrl, UriKind.Absolute, out var elasticsearch) || elasticsearch.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"elasticsearchUrl '{ElasticsearchUrl}': the https:// address of an existing Elasticsearch cluster.");
        if (ElasticsearchUrl is not null && !IsSecretArn(ElasticsearchSecretArn))
            throw new ArgumentException(
                $"elasticsearchSecretArn '{ElasticsearchSecretArn}': with elasticsearchUrl, the complete ARN " +
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>) of a secret {\"username\":…,\"password\":…} " +
                "for the cluster.");
        if (ElasticsearchSecretArn is not null && ElasticsearchUrl is null)
            throw new ArgumentException("elasticsearchSecretArn is set without elasticsearchUrl: give the cluster's https:// URL too.");
        if (LambdaBatchSize is < 1 or > 10)
            throw new ArgumentException($"lambdaBatchSize {LambdaBatchSize}: SQS event sources take 1–10 records without a batching window.");
        if (LambdaMaxConcurrency is < 2 or > 1000)
            throw new ArgumentException($"lambdaMaxConcurrency {LambdaMaxConcurrency}: SQS event sources allow 2–1000.");
        if (LambdaTimeoutSeconds is < 10 or > 900)
            throw new ArgumentException($"lambdaTimeoutSeconds {LambdaTimeoutSeconds}: 10–900.");

        // Each concurrent invocation holds its own connection pool; the budget leaves room for the ECS services.
        var lambdaConnections = ShopService.Workers.Count(w => HostOf(w) == WorkerHost.Lambda) * LambdaMaxConcurrency * LambdaConnectionsPerInstance;
        if (lambdaConnections > DatabaseMaxConnections / 2)
            throw new ArgumentException(
                $"Lambda workers may open {lambdaConnections} database connections at maximum concurrency, more than half of " +
                $"databaseMaxConnections ({DatabaseMaxConnections}): lower lambdaMaxConcurrency or raise the database size.");
    }

    // A complete ARN ends in the six characters Secrets Manager appends; a partial one would not match in IAM policies.
    static bool IsSecretArn(string? arn) =>
        arn is not null && System.Text.RegularExpressions.Regex.IsMatch(arn, @"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$");

    /// <summary>The connection pool size a Lambda instance is configured with (one record pipeline at a time needs few).</summary>
    public const int LambdaConnectionsPerInstance = 4;
}
