using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Lambda.EventSources;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SQS;
using Constructs;
using Shop.Deploy.Aws.Topology;
using Shop.ServiceDefaults;
using HealthCheck = Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck;
using Protocol = Amazon.CDK.AWS.ElasticLoadBalancingV2.Protocol;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// The running shop: a Fargate cluster with Orders.Api behind an internet-facing load balancer (the only public thing),
/// each worker as a Fargate service scaled on its queues or as a Lambda function fed by them, task and function roles
/// generated from the topology, logs in CloudWatch, and the one-off task that creates each service's database and login.
/// </summary>
public sealed class ServicesStack : Stack
{
    const int ContainerPort = 8080;

    readonly DeploymentSettings _settings;
    readonly ShopTopology _topology;
    readonly DataStack _data;
    readonly SecurityGroup _servicesSecurityGroup;
    readonly IVpc _vpc;

    public ServicesStack(Construct scope, string id, DeploymentSettings settings, IVpc vpc, DataStack data,
        ShopTopology topology, IStackProps props) : base(scope, id, props)
    {
        _settings = settings;
        _topology = topology;
        _data = data;
        _vpc = vpc;

        Cluster = new Cluster(this, "Cluster", new ClusterProps { Vpc = vpc, ContainerInsights = true });

        _servicesSecurityGroup = new SecurityGroup(this, "ServicesSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "Shop services and functions: no inbound but from the load balancer; outbound to AWS APIs",
            AllowAllOutbound = true,
        });
        // Declared here rather than on the database's group, so the data stack does not depend on this one.
        new CfnSecurityGroupIngress(this, "DatabaseFromServices", new CfnSecurityGroupIngressProps
        {
            GroupId = data.DatabaseSecurityGroup.SecurityGroupId,
            SourceSecurityGroupId = _servicesSecurityGroup.SecurityGroupId,
            IpProtocol = "tcp",
            FromPort = DataStack.PostgresPort,
            ToPort = DataStack.PostgresPort,
            Description = "PostgreSQL from the Shop services",
        });

        DatabaseSetup = new DatabaseSetupTask(this, "DatabaseSetup", settings, Cluster, vpc, _servicesSecurityGroup, data);

        Api = AddApi(ShopService.Orders);
        foreach (var worker in ShopService.Workers)
        {
            if (settings.HostOf(worker) == WorkerHost.Lambda)
                WorkerFunctions[worker] = AddLambdaWorker(worker);
            else
                WorkerServices[worker] = AddEcsWorker(worker);
        }
    }

    public Cluster Cluster { get; }
    public DatabaseSetupTask DatabaseSetup { get; }
    public ApplicationLoadBalancer Api { get; }
    public Dictionary<ShopService, FargateService> WorkerServices { get; } = [];
    public Dictionary<ShopService, DockerImageFunction> WorkerFunctions { get; } = [];
    public Dictionary<ShopService, Role> Roles { get; } = [];

    ApplicationLoadBalancer AddApi(ShopService service)
    {
        var task = AddTaskDefinition(service, cpu: 512, memory: 1024);
        var fargate = new FargateService(this, service.Name + "-service", new FargateServiceProps
        {
            Cluster = Cluster,
            TaskDefinition = task,
            DesiredCount = _settings.ApiDesiredCount,
            AssignPublicIp = false,
            VpcSubnets = NetworkStack.Application,
            SecurityGroups = [_servicesSecurityGroup],
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            HealthCheckGracePeriod = Duration.Seconds(60),
        });

        var alb = new ApplicationLoadBalancer(this, "LoadBalancer", new ApplicationLoadBalancerProps
        {
            Vpc = _vpc,
            InternetFacing = true,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PUBLIC },
            DropInvalidHeaderFields = true,
        });

        ApplicationListener listener;
        if (_settings.CertificateArn is { } certificate)
        {
            listener = alb.AddListener("Https", new BaseApplicationListenerProps
            {
                Port = 443,
                Protocol = ApplicationProtocol.HTTPS,
                Certificates = [ListenerCertificate.FromArn(certificate)],
                SslPolicy = SslPolicy.RECOMMENDED_TLS,
            });
            alb.AddRedirect(new ApplicationLoadBalancerRedirectConfig
            {
                SourcePort = 80, SourceProtocol = ApplicationProtocol.HTTP, TargetPort = 443, TargetProtocol = ApplicationProtocol.HTTPS,
            });
        }
        else
        {
            listener = alb.AddListener("Http", new BaseApplicationListenerProps { Port = 80, Protocol = ApplicationProtocol.HTTP });
        }

        listener.AddTargets(service.Name, new AddApplicationTargetsProps
        {
            Port = ContainerPort,
            Protocol = ApplicationProtocol.HTTP,
            Targets = [fargate],
            DeregistrationDelay = Duration.Seconds(30),
            HealthCheck = new HealthCheck
            {
                Path = "/health/ready",
                HealthyHttpCodes = "200",
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 3,
                Protocol = Protocol.HTTP,
            },
        });

        new CfnOutput(this, "ApiUrl", new CfnOutputProps
        {
            Value = $"{(_settings.CertificateArn is null ? "http" : "https")}://{alb.LoadBalancerDnsName}",
            Description = "Orders.Api behind the load balancer",
        });
        return alb;
    }

    FargateService AddEcsWorker(ShopService service)
    {
        var task = AddTaskDefinition(service, cpu: 256, memory: 512);
        var fargate = new FargateService(this, service.Name + "-service", new FargateServiceProps
        {
            Cluster = Cluster,
            TaskDefinition = task,
            DesiredCount = 1,
            AssignPublicIp = false,
            VpcSubnets = NetworkStack.Application,
            SecurityGroups = [_servicesSecurityGroup],
            CircuitBreaker = new DeploymentCircuitBreaker { Rollback = true },
        });

        var queues = _topology[service].Endpoints.Select(e => _topology.Names.Queue(e.Name)).ToList();
        var scaling = fargate.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = 1, MaxCapacity = _settings.WorkerMaxCount });
        scaling.ScaleOnMetric("QueueDepth", new BasicStepScalingPolicyProps
        {
            Metric = QueueMetric(queues, "ApproximateNumberOfMessagesVisible", "SUM"),
            AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY,
            ScalingSteps =
            [
                new ScalingInterval { Upper = 0, Change = -1 },
                new ScalingInterval { Lower = 100, Change = 1 },
                new ScalingInterval { Lower = 1000, Change = 3 },
            ],
            Cooldown = Duration.Minutes(2),
        });
        scaling.ScaleOnMetric("QueueAge", new BasicStepScalingPolicyProps
        {
            Metric = QueueMetric(queues, "ApproximateAgeOfOldestMessage", "MAX"),
            AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY,
            ScalingSteps =
            [
                new ScalingInterval { Upper = 0, Change = -1 },
                new ScalingInterval { Lower = 60, Change = 1 },
                new ScalingInterval { Lower = 300, Change = 2 },
            ],
            Cooldown = Duration.Minutes(2),
        });
        return fargate;
    }

    DockerImageFunction AddLambdaWorker(ShopService service)
    {
        var role = AddRole(service, new ServicePrincipal("lambda.amazonaws.com"));
        role.AddManagedPolicy(ManagedPolicy.FromAwsManagedPolicyName("service-role/AWSLambdaVPCAccessExecutionRole"));

        var logs = AddLogGroup(service);
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "WriteOwnLogs",
            Actions = ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resources = [logs.LogGroupArn, logs.LogGroupArn + ":*"],
        }));

        var environment = ServiceEnvironment(service);
        // Lambda has no secret injection: the password reaches the function's configuration through CloudFormation's
        // dynamic reference (readable by whoever may read the function's configuration; see docs/deploy-aws.md).
        if (_data.ServiceLogins.TryGetValue(service, out var login))
            environment["PGPASSWORD"] = login.SecretValueFromJson("password").UnsafeUnwrap();

        var function = new DockerImageFunction(this, service.Name + "-function", new DockerImageFunctionProps
        {
            FunctionName = $"shop-{_settings.Environment}-{service.Name}",
            Description = $"{service.Project} on its own Lambda host (our Runtime API client)",
            Code = DockerImageCode.FromEcr(Repository(service), new EcrImageCodeProps { TagOrDigest = _settings.ImageTag }),
            Role = role,
            Timeout = Duration.Seconds(_settings.LambdaTimeoutSeconds),
            MemorySize = _settings.LambdaMemoryMb,
            Architecture = Architecture.X86_64,
            Vpc = _vpc,
            VpcSubnets = NetworkStack.Application,
            SecurityGroups = [_servicesSecurityGroup],
            Environment = environment,
            LogGroup = logs,
            Tracing = Tracing.PASS_THROUGH,
        });

        foreach (var endpoint in _topology[service].Endpoints)
        {
            var name = _topology.Names.Queue(endpoint.Name);
            var queue = Queue.FromQueueAttributes(this, $"{service.Name}-{endpoint.Name}-queue", new QueueAttributes
            {
                QueueArn = ResourceArns.Queue(this, name),
                QueueName = name,
                QueueUrl = ResourceArns.QueueUrl(this, name),
            });
            function.AddEventSource(new SqsEventSource(queue, new SqsEventSourceProps
            {
                BatchSize = _settings.LambdaBatchSize,
                MaxConcurrency = _settings.LambdaMaxConcurrency,
                ReportBatchItemFailures = true,
            }));
        }

        return function;
    }

    FargateTaskDefinition AddTaskDefinition(ShopService service, int cpu, int memory)
    {
        var task = new FargateTaskDefinition(this, service.Name + "-task", new FargateTaskDefinitionProps
        {
            Cpu = cpu,
            MemoryLimitMiB = memory,
            TaskRole = AddRole(service, new ServicePrincipal("ecs-tasks.amazonaws.com")),
            RuntimePlatform = new RuntimePlatform
            {
                CpuArchitecture = CpuArchitecture.X86_64,
                OperatingSystemFamily = OperatingSystemFamily.LINUX,
            },
        });

        task.AddContainer(service.Name, new ContainerDefinitionOptions
        {
            Image = ContainerImage.FromEcrRepository(Repository(service), _settings.ImageTag),
            Essential = true,
            PortMappings = [new PortMapping { ContainerPort = ContainerPort }],
            Environment = ServiceEnvironment(service),
            Secrets = ServiceSecrets(service),
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = AddLogGroup(service), StreamPrefix = service.Name }),
            HealthCheck = new Amazon.CDK.AWS.ECS.HealthCheck
            {
                Command = ["CMD", "dotnet", service.AssemblyFile, HealthProbe.Argument, HealthProbe.DefaultPath],
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                StartPeriod = Duration.Seconds(60),
                Retries = 3,
            },
            StopTimeout = Duration.Seconds(35),
        });
        return task;
    }

    Dictionary<string, Amazon.CDK.AWS.ECS.Secret> ServiceSecrets(ShopService service)
    {
        var secrets = new Dictionary<string, Amazon.CDK.AWS.ECS.Secret>();
        // Npgsql takes the password from PGPASSWORD when the connection string has none: one login per service, so
        // Orders.Api's read-model connection uses the same password as its own database.
        if (_data.ServiceLogins.TryGetValue(service, out var login))
            secrets["PGPASSWORD"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(login, "password");
        if (ReadModelServices.Contains(service) && ElasticsearchSecret() is { } elasticsearch)
        {
            secrets["ReadModel__Elasticsearch__Username"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(elasticsearch, "username");
            secrets["ReadModel__Elasticsearch__Password"] = Amazon.CDK.AWS.ECS.Secret.FromSecretsManager(elasticsearch, "password");
        }
        return secrets;
    }

    /// <summary>The read model's writer (Search.Worker) and its reader (Orders.Api's search endpoints).</summary>
    static readonly ShopService[] ReadModelServices = [ShopService.Search, ShopService.Orders];

    ISecret? _elasticsearchSecret;

    ISecret? ElasticsearchSecret() => _settings.ElasticsearchSecretArn is not { } arn
        ? null
        : _elasticsearchSecret ??= Amazon.CDK.AWS.SecretsManager.Secret.FromSecretCompleteArn(this, "ElasticsearchSecret", arn);

    static string ConnectionString(DatabaseInstance database, string databaseName, string login, int poolSize) =>
        $"Host={database.DbInstanceEndpointAddress};Port={database.DbInstanceEndpointPort};Database={databaseName};" +
        $"Username={login};SSL Mode=Require;Maximum Pool Size={poolSize}";

    Dictionary<string, string> ServiceEnvironment(ShopService service)
    {
        var database = _data.Database;
        var poolSize = _settings.HostOf(service) == WorkerHost.Lambda && service.IsWorker ? DeploymentSettings.LambdaConnectionsPerInstance : 20;
        var environment = new Dictionary<string, string>
        {
            ["Messaging__Transport"] = "AmazonSqs",
            ["Messaging__AmazonSqs__Prefix"] = _topology.Names.Prefix,
            ["Messaging__AmazonSqs__CreateResources"] = "false",
            ["Messaging__AmazonSqs__Region"] = Region,
            ["Messaging__AmazonSqs__AccountId"] = Account,
            ["BlobStorage__Provider"] = "S3",
            ["BlobStorage__S3__Bucket"] = _data.Bucket.BucketName,
            ["BlobStorage__S3__Region"] = Region,
            // The bucket's notifications belong to the data stack; the worker must not rewrite them at start.
            ["Images__UploadNotifications__ConfigureBucket"] = "false",
            ["OTEL_SERVICE_NAME"] = service.Project,
        };
        if (_settings.DatabaseServices.Contains(service))
            environment[$"ConnectionStrings__{service.ConnectionStringName}"] =
                ConnectionString(database, service.DatabaseName, service.DatabaseLogin, poolSize);
        // Its own login, granted SELECT only there by the set-up task.
        foreach (var read in _settings.DatabaseReads.Where(r => r.Reader == service))
            environment[$"ConnectionStrings__{read.ConnectionStringName}"] =
                ConnectionString(database, read.Owner.DatabaseName, service.DatabaseLogin, poolSize);
        if (ReadModelServices.Contains(service) && _settings.ElasticsearchUrl is { } elasticsearchUrl)
        {
            environment["ReadModel__Store"] = "Elasticsearch";
            environment["ReadModel__Elasticsearch__Url"] = elasticsearchUrl;
            // Environments can share a cluster: each has its own indices, aliases and templates.
            environment["ReadModel__Elasticsearch__IndexPrefix"] = $"shop-{_settings.Environment}-readmodel-";
        }
        if (_settings.OtlpEndpoint is { } otlp)
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        if (!service.IsWorker)
        {
            environment["Auth__Authority"] = _settings.AuthAuthority!;
            environment["Auth__Audience"] = _settings.AuthAudience;
        }

        return environment;
    }

    Role AddRole(ShopService service, IPrincipal principal)
    {
        var role = new Role(this, service.Name + "-role", new RoleProps
        {
            AssumedBy = principal,
            Description = $"{service.Project}: its own queues, topics and bucket prefixes only",
        });
        foreach (var statement in TopologyPolicies.For(this, _topology, _topology[service], _data.Bucket))
            role.AddToPolicy(statement);
        Roles[service] = role;
        return role;
    }

    LogGroup AddLogGroup(ShopService service) => new(this, service.Name + "-logs", new LogGroupProps
    {
        LogGroupName = $"/shop/{_settings.Environment}/{service.Name}",
        Retention = RetentionDays.ONE_MONTH,
        RemovalPolicy = RemovalPolicy.DESTROY,
    });

    IRepository Repository(ShopService service) =>
        Amazon.CDK.AWS.ECR.Repository.FromRepositoryName(this, service.Name + "-repository", RegistryStack.RepositoryName(_settings, service));

    static IMetric QueueMetric(IReadOnlyList<string> queues, string metricName, string combine)
    {
        var metrics = queues.Select((queue, i) => (Id: $"m{i}", Metric: (IMetric)new Metric(new MetricProps
        {
            Namespace = "AWS/SQS",
            MetricName = metricName,
            DimensionsMap = new Dictionary<string, string> { ["QueueName"] = queue },
            Statistic = "Maximum",
            Period = Duration.Minutes(1),
        }))).ToList();
        if (metrics.Count == 1) return metrics[0].Metric;

        return new MathExpression(new MathExpressionProps
        {
            Expression = $"{combine}([{string.Join(",", metrics.Select(m => m.Id))}])",
            UsingMetrics = metrics.ToDictionary(m => m.Id, m => m.Metric),
            Period = Duration.Minutes(1),
        });
    }
}
