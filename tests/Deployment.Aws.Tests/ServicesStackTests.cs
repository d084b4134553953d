using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shop.Deploy.Aws.Topology;
using Shop.Deployment.Aws.Tests.Infrastructure;

namespace Shop.Deployment.Aws.Tests;

/// <summary>Every worker on ECS: the load balancer, the services, and what each task role may touch.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class ServicesStackTests(EcsShop shop)
{
    IReadOnlyList<Permission> PermissionsOf(ShopService service) =>
        RolePermissions.Of(shop.Services, shop.Shop.Services, shop.Shop.Services.Roles[service]);

    IEnumerable<string> QueuesOf(ShopService service) =>
        shop.Shop.Topology[service].Endpoints.Select(e => shop.Shop.Topology.Names.Queue(e.Name));

    [Fact]
    public void Should_check_the_api_on_its_readiness_endpoint()
    {
        shop.Services.HasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Match.ObjectLike(new Dictionary<string, object>
        {
            ["HealthCheckPath"] = "/health/ready",
            ["Port"] = 8080,
            ["TargetType"] = "ip",
        }));
    }

    [Fact]
    public void Should_point_the_api_and_only_the_api_at_the_token_issuer()
    {
        var containers = SynthesizedShop.Resources(shop.Services, "AWS::ECS::TaskDefinition").Values
            .SelectMany(task => task["Properties"]!["ContainerDefinitions"]!.AsArray())
            .Where(container => container!["Environment"] is JsonArray)
            .ToDictionary(container => container!["Name"]!.GetValue<string>(),
                container => container!["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]?.ToString()));

        var api = Assert.Single(containers, c => c.Value.GetValueOrDefault("OTEL_SERVICE_NAME") == "Orders.Api").Value;
        Assert.Equal(EcsShop.Issuer, api["Auth__Authority"]);
        Assert.Equal("shop-api", api["Auth__Audience"]);
        Assert.All(containers.Where(c => c.Value.ContainsKey("OTEL_SERVICE_NAME") && c.Value["OTEL_SERVICE_NAME"] != "Orders.Api"),
            worker => Assert.False(worker.Value.ContainsKey("Auth__Authority")));
    }

    [Fact]
    public void Should_serve_plain_http_without_a_certificate()
    {
        var listener = Assert.Single(SynthesizedShop.Resources(shop.Services, "AWS::ElasticLoadBalancingV2::Listener").Values);
        Assert.Equal(("HTTP", 80), (listener["Properties"]!["Protocol"]!.GetValue<string>(), SynthesizedShop.Int(listener["Properties"]!["Port"]!)));
    }

    [Fact]
    public void Should_run_the_api_and_every_worker_as_fargate_services_in_private_subnets()
    {
        var services = SynthesizedShop.Resources(shop.Services, "AWS::ECS::Service").Values.ToList();

        Assert.Equal(ShopService.All.Count, services.Count);
        foreach (var service in services)
        {
            Assert.Equal("FARGATE", service["Properties"]!["LaunchType"]!.GetValue<string>());
            Assert.Equal("DISABLED", service["Properties"]!["NetworkConfiguration"]!["AwsvpcConfiguration"]!["AssignPublicIp"]!.GetValue<string>());
        }
        Assert.Empty(SynthesizedShop.Resources(shop.Services, "AWS::Lambda::EventSourceMapping"));
    }

    [Fact]
    public void Should_scale_each_worker_on_the_depth_and_age_of_its_queues()
    {
        var alarms = SynthesizedShop.Resources(shop.Services, "AWS::CloudWatch::Alarm").Values.Select(a => a.ToJsonString()).ToList();

        foreach (var worker in ShopService.Workers)
        foreach (var queue in QueuesOf(worker))
        {
            Assert.Contains(alarms, a => a.Contains("ApproximateNumberOfMessagesVisible") && a.Contains($"\"{queue}\""));
            Assert.Contains(alarms, a => a.Contains("ApproximateAgeOfOldestMessage") && a.Contains($"\"{queue}\""));
        }
        // Step scaling on a metric is two policies, one for each side of the metric's range.
        Assert.Equal(ShopService.Workers.Count * 2 * 2, SynthesizedShop.Resources(shop.Services, "AWS::ApplicationAutoScaling::ScalingPolicy").Count);
    }

    [Fact]
    public void Should_not_let_payments_receive_from_the_image_queues()
    {
        var receives = PermissionsOf(ShopService.Payments).Where(p => p.Action == "sqs:ReceiveMessage").ToList();

        foreach (var imageQueue in QueuesOf(ShopService.Images))
            Assert.DoesNotContain(receives, p => p.IsFor(imageQueue));
        Assert.All(receives, p => Assert.DoesNotContain("*", p.Resource));
    }

    [Fact]
    public void Should_let_each_service_receive_from_exactly_its_own_queues()
    {
        foreach (var service in ShopService.All)
        {
            var receivable = PermissionsOf(service).Where(p => p.Action == "sqs:ReceiveMessage")
                .Select(p => p.Resource[(p.Resource.LastIndexOf(':') + 1)..]).Order(StringComparer.Ordinal);
            Assert.Equal(QueuesOf(service).Order(StringComparer.Ordinal), receivable);
        }
    }

    [Fact]
    public void Should_let_payments_publish_only_to_the_topics_of_what_it_publishes()
    {
        var topics = PermissionsOf(ShopService.Payments).Where(p => p.Action == "sns:Publish")
            .Select(p => p.Resource[(p.Resource.LastIndexOf(':') + 1)..]).ToHashSet();

        // Topics carry the scope (the prefix without its dash), as MassTransit.AmazonSQS scopes them.
        Assert.Contains("dev_Shop_Contracts_Payments-PaymentCompleted", topics);
        Assert.Contains("dev_MassTransit-Fault--Shop_Contracts_Payments-ProcessPayment--", topics);
        Assert.DoesNotContain("dev_Shop_Contracts_Orders-OrderConfirmed", topics);
        Assert.Equal(shop.Shop.Topology[ShopService.Payments].PublishedMessageTypes.Count(), topics.Count);
    }

    [Fact]
    public void Should_let_only_the_order_saga_send_payment_commands()
    {
        foreach (var service in ShopService.All)
        {
            var sends = PermissionsOf(service).Any(p => p.Action == "sqs:SendMessage" && p.IsFor("dev-process-payment"));
            Assert.Equal(service == ShopService.Orders || service == ShopService.Payments, sends);
        }
    }

    [Fact]
    public void Should_give_payments_no_access_to_images_in_the_bucket()
    {
        var objects = PermissionsOf(ShopService.Payments).Where(p => p.Action.StartsWith("s3:", StringComparison.Ordinal) && p.Action != "s3:ListBucket");

        Assert.All(objects, p => Assert.EndsWith("/messages/*", p.Resource));
        Assert.NotEmpty(objects);
    }

    [Fact]
    public void Should_notice_a_role_that_may_receive_from_any_queue()
    {
        // The checks above read statements the way this does; a role allowed every queue must be caught.
        var template = JsonNode.Parse("""
            {"Resources":{"P":{"Type":"AWS::IAM::Policy","Properties":{"Roles":[{"Ref":"R"}],"PolicyDocument":{"Statement":[
              {"Effect":"Allow","Action":["sqs:ReceiveMessage"],"Resource":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":sqs:*:*:dev-generate-thumbnails"]]}}]}}}}}
            """)!.AsObject();

        var permissions = RolePermissions.Of(template, "R");

        Assert.Contains(permissions, p => p.Action == "sqs:ReceiveMessage" && p.IsFor("dev-generate-thumbnails"));
        Assert.Contains("dev-generate-thumbnails", QueuesOf(ShopService.Images));
    }
}
