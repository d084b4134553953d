using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shop.Deploy.Aws.Topology;
using Shop.Deployment.Aws.Tests.Infrastructure;

namespace Shop.Deployment.Aws.Tests;

/// <summary>A container of a synthesised task definition: its environment and where each secret comes from, rendered.</summary>
public sealed record SynthesizedContainer(string Name, string Image, IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, string> Secrets)
{
    public static IReadOnlyDictionary<string, SynthesizedContainer> All(Template services) =>
        SynthesizedShop.Resources(services, "AWS::ECS::TaskDefinition").Values
            .SelectMany(task => task["Properties"]!["ContainerDefinitions"]!.AsArray())
            .Select(c => new SynthesizedContainer(
                c!["Name"]!.GetValue<string>(),
                RolePermissions.Render(c["Image"]!),
                Pairs(c["Environment"], "Value"),
                Pairs(c["Secrets"], "ValueFrom")))
            .ToDictionary(c => c.Name);

    /// <summary>The database set-up task's shell script (its container's command).</summary>
    public static string SetupScript(Template services) =>
        SynthesizedShop.Resources(services, "AWS::ECS::TaskDefinition").Values
            .SelectMany(task => task["Properties"]!["ContainerDefinitions"]!.AsArray())
            .Single(c => c!["Name"]!.GetValue<string>() == "psql")!["Command"]![0]!.GetValue<string>();

    static Dictionary<string, string> Pairs(JsonNode? list, string value) =>
        (list as JsonArray ?? []).ToDictionary(e => e!["Name"]!.GetValue<string>(), e => RolePermissions.Render(e![value]!));
}

/// <summary>The read side on AWS with the defaults: Search.Worker on ECS, the read model in a PostgreSQL database of its own.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class ReadSideTests(EcsShop shop)
{
    IReadOnlyDictionary<string, SynthesizedContainer> Containers => SynthesizedContainer.All(shop.Services);

    string SetupScript => SynthesizedContainer.SetupScript(shop.Services);

    IReadOnlyList<Permission> PermissionsOf(ShopService service) =>
        RolePermissions.Of(shop.Services, shop.Shop.Services, shop.Shop.Services.Roles[service]);

    [Fact]
    public void Should_run_search_worker_as_a_fargate_service_from_its_own_image_repository()
    {
        Assert.Contains(ShopService.Search, shop.Shop.Services.WorkerServices.Keys);
        var search = Containers["search"];

        Assert.Equal("Search.Worker", search.Environment["OTEL_SERVICE_NAME"]);
        Assert.EndsWith("/dev/shop/search-worker:latest", search.Image);
        Template.FromStack(shop.Shop.Registry).HasResourceProperties("AWS::ECR::Repository",
            Match.ObjectLike(new Dictionary<string, object> { ["RepositoryName"] = "dev/shop/search-worker" }));
    }

    [Fact]
    public void Should_subscribe_the_projection_queues_to_every_event_the_read_model_is_built_from()
    {
        var topics = SynthesizedShop.Resources(shop.Messaging, "AWS::SNS::Topic")
            .ToDictionary(t => t.Key, t => t.Value["Properties"]!["TopicName"]!.GetValue<string>());
        var queues = SynthesizedShop.Resources(shop.Messaging, "AWS::SQS::Queue")
            .ToDictionary(q => q.Key, q => q.Value["Properties"]!["QueueName"]!.GetValue<string>());
        var subscribed = SynthesizedShop.Resources(shop.Messaging, "AWS::SNS::Subscription").Values
            .ToLookup(s => queues[s["Properties"]!["Endpoint"]!["Fn::GetAtt"]![0]!.GetValue<string>()],
                s => topics[s["Properties"]!["TopicArn"]!["Ref"]!.GetValue<string>()]);

        // The events docs/read-side.md names, spelled out here rather than read back from the topology reader, so a batch
        // consumer the reader failed to see leaves this list unmatched.
        Assert.Equal(
            new[]
            {
                "dev_Shop_Contracts_Orders-OrderCancelled", "dev_Shop_Contracts_Orders-OrderConfirmed", "dev_Shop_Contracts_Orders-OrderSubmitted",
                "dev_Shop_Contracts_Payments-PaymentCompleted", "dev_Shop_Contracts_Payments-PaymentFailed", "dev_Shop_Contracts_Payments-PaymentRefunded",
                "dev_Shop_Contracts_Stock-StockReleased", "dev_Shop_Contracts_Stock-StockReserved", "dev_Shop_Contracts_Stock-StockUnavailable",
            },
            subscribed["dev-order-projection"].Order(StringComparer.Ordinal));
        Assert.Equal(
            new[]
            {
                "dev_MassTransit-Fault--Shop_Contracts_Images-ImageUploaded--",
                "dev_Shop_Contracts_Images-ImageMetadataExtracted", "dev_Shop_Contracts_Images-ImageProcessingCompleted",
                "dev_Shop_Contracts_Images-ImageUploaded", "dev_Shop_Contracts_Images-ThumbnailsGenerated",
            },
            subscribed["dev-product-image-projection"].Order(StringComparer.Ordinal));
        Assert.Contains("dev-order-projection_error", queues.Values);
        Assert.Contains("dev-product-image-projection_error", queues.Values);
    }

    [Fact]
    public void Should_let_search_worker_receive_only_its_projection_queues_and_touch_only_the_archive_and_claim_checks()
    {
        var permissions = PermissionsOf(ShopService.Search);

        var receives = permissions.Where(p => p.Action == "sqs:ReceiveMessage").Select(p => p.Resource[(p.Resource.LastIndexOf(':') + 1)..]);
        Assert.Equal(["dev-order-projection", "dev-product-image-projection"], receives.Order(StringComparer.Ordinal));

        var objects = permissions.Where(p => p.Action is "s3:GetObject" or "s3:PutObject").Select(p => p.Resource).ToList();
        Assert.Contains(objects, r => r.EndsWith("/archive/events/*", StringComparison.Ordinal));
        Assert.All(objects, r => Assert.True(r.EndsWith("/archive/events/*", StringComparison.Ordinal) || r.EndsWith("/messages/*", StringComparison.Ordinal), r));

        // It publishes nothing of its own: only the faults MassTransit publishes when a projection gives up.
        Assert.All(permissions.Where(p => p.Action == "sns:Publish"), p => Assert.Contains("MassTransit-Fault--", p.Resource));
    }

    [Fact]
    public void Should_let_the_rebuild_list_the_archive()
    {
        var list = SynthesizedShop.Resources(shop.Services, "AWS::IAM::Policy").Values
            .Where(p => p["Properties"]!["Roles"]!.AsArray().Any(r => r?["Ref"]?.GetValue<string>() ==
                shop.Shop.Services.GetLogicalId((Amazon.CDK.CfnElement)shop.Shop.Services.Roles[ShopService.Search].Node.DefaultChild!)))
            .SelectMany(p => p["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
            .Single(s => s!["Sid"]?.GetValue<string>() == "ListOwnBucketPrefixes")!;

        var prefixes = list["Condition"]!["StringLike"]!["s3:prefix"]!.AsArray().Select(p => p!.GetValue<string>());
        Assert.Contains("archive/events/*", prefixes);
    }

    [Fact]
    public void Should_give_search_worker_a_login_and_a_read_model_database_of_its_own()
    {
        var search = Containers["search"];

        Assert.Contains("Database=shop_search;Username=search;", search.Environment["ConnectionStrings__ReadModel"]);
        Assert.DoesNotContain("Password", search.Environment["ConnectionStrings__ReadModel"]);
        Assert.Contains("searchdatabaselogin", search.Secrets["PGPASSWORD"]);
        Assert.Contains("create search shop_search \"$PASSWORD_SEARCH\"", SetupScript);
        Assert.Contains("searchdatabaselogin", Containers["psql"].Secrets["PASSWORD_SEARCH"]);
    }

    [Fact]
    public void Should_let_the_api_read_the_read_model_with_its_own_login_granted_select_only()
    {
        var api = Containers["orders"];

        Assert.Contains("Database=shop_search;Username=orders;", api.Environment["ConnectionStrings__ReadModel"]);
        Assert.Contains("Database=shop_orders;Username=orders;", api.Environment["ConnectionStrings__Orders"]);
        Assert.Contains("ordersdatabaselogin", api.Secrets["PGPASSWORD"]);
        Assert.DoesNotContain(api.Secrets.Values, secret => secret.Contains("searchdatabaselogin", StringComparison.Ordinal));
        Assert.False(api.Environment.ContainsKey("ReadModel__Store"));

        Assert.Contains("\ngrant_read orders search shop_search", SetupScript);
        Assert.Contains("GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I", SetupScript);
        Assert.Contains("ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES TO %I", SetupScript);
        // No other read of another service's database is granted.
        Assert.Single(SetupScript.Split('\n'), line => line.StartsWith("grant_read ", StringComparison.Ordinal));
    }
}

/// <summary><c>elasticsearchUrl</c> + <c>elasticsearchSecretArn</c>: the read model in an existing cluster.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class ElasticsearchReadModelTests(ElasticsearchShop shop)
{
    IReadOnlyDictionary<string, SynthesizedContainer> Containers => SynthesizedContainer.All(shop.Services);

    [Theory]
    [InlineData("search")]
    [InlineData("orders")]
    public void Should_point_the_read_model_s_writer_and_reader_at_the_cluster_with_the_secret_s_user(string container)
    {
        var service = Containers[container];

        Assert.Equal("Elasticsearch", service.Environment["ReadModel__Store"]);
        Assert.Equal(ElasticsearchShop.Url, service.Environment["ReadModel__Elasticsearch__Url"]);
        Assert.Equal("shop-stage-readmodel-", service.Environment["ReadModel__Elasticsearch__IndexPrefix"]);
        Assert.Equal(ElasticsearchShop.SecretArn + ":username::", service.Secrets["ReadModel__Elasticsearch__Username"]);
        Assert.Equal(ElasticsearchShop.SecretArn + ":password::", service.Secrets["ReadModel__Elasticsearch__Password"]);
        Assert.False(service.Environment.ContainsKey("ConnectionStrings__ReadModel"));
    }

    [Fact]
    public void Should_give_the_cluster_s_user_to_no_other_service()
    {
        foreach (var (_, container) in Containers.Where(c => c.Key is not ("search" or "orders")))
            Assert.DoesNotContain(container.Secrets.Values, secret => secret.StartsWith(ElasticsearchShop.SecretArn, StringComparison.Ordinal));
        Assert.Equal(5, Containers.Count(c => c.Value.Environment.ContainsKey("OTEL_SERVICE_NAME")));
    }

    [Fact]
    public void Should_let_only_the_two_execution_roles_read_the_cluster_s_secret()
    {
        var readers = SynthesizedShop.Resources(shop.Services, "AWS::IAM::Policy").Values
            .Where(p => p["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Any(s =>
                s!["Resource"]!.ToJsonString().Contains(ElasticsearchShop.SecretArn, StringComparison.Ordinal) &&
                s["Action"]!.ToJsonString().Contains("secretsmanager:GetSecretValue", StringComparison.Ordinal)))
            .ToList();

        Assert.Equal(2, readers.Count);
    }

    [Fact]
    public void Should_create_no_read_model_database_nor_login()
    {
        var logins = SynthesizedShop.Resources(shop.Data, "AWS::SecretsManager::Secret").Values
            .Select(s => s["Properties"]!["GenerateSecretString"]!["SecretStringTemplate"]!.GetValue<string>());
        Assert.DoesNotContain(logins, template => template.Contains("\"username\":\"search\"", StringComparison.Ordinal));

        var script = SynthesizedContainer.SetupScript(shop.Services);
        Assert.DoesNotContain("create search", script);
        Assert.DoesNotContain("\ngrant_read ", script);
        Assert.Contains("create orders shop_orders", script);
        Assert.False(Containers["search"].Secrets.ContainsKey("PGPASSWORD"));
    }
}
