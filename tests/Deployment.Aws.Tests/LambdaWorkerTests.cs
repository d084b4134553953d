using Amazon.CDK.Assertions;
using Shop.Deploy.Aws.Topology;
using Shop.Deployment.Aws.Tests.Infrastructure;

namespace Shop.Deployment.Aws.Tests;

/// <summary><c>payments=lambda images=lambda</c>: those workers become functions fed by their queues; Notifications and Search stay on ECS.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class LambdaWorkerTests(LambdaShop shop)
{
    IEnumerable<string> QueuesOf(ShopService service) =>
        shop.Shop.Topology[service].Endpoints.Select(e => shop.Shop.Topology.Names.Queue(e.Name));

    [Fact]
    public void Should_feed_each_lambda_worker_from_its_queues_reporting_batch_item_failures()
    {
        shop.Services.AllResourcesProperties("AWS::Lambda::EventSourceMapping", Match.ObjectLike(new Dictionary<string, object>
        {
            ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
            ["BatchSize"] = 7,
            ["ScalingConfig"] = new Dictionary<string, object> { ["MaximumConcurrency"] = 3 },
        }));

        var sources = SynthesizedShop.Resources(shop.Services, "AWS::Lambda::EventSourceMapping").Values
            .Select(m => RolePermissions.Render(m["Properties"]!["EventSourceArn"]!))
            .Select(arn => arn[(arn.LastIndexOf(':') + 1)..])
            .Order(StringComparer.Ordinal);
        Assert.Equal(QueuesOf(ShopService.Payments).Concat(QueuesOf(ShopService.Images)).Order(StringComparer.Ordinal), sources);
    }

    [Fact]
    public void Should_run_lambda_workers_from_the_same_image_repository_as_on_ecs()
    {
        var functions = SynthesizedShop.Resources(shop.Services, "AWS::Lambda::Function").Values
            .Where(f => f["Properties"]!["PackageType"]?.GetValue<string>() == "Image")
            .Select(f => RolePermissions.Render(f["Properties"]!["Code"]!["ImageUri"]!))
            .ToList();

        Assert.Equal(2, functions.Count);
        Assert.Contains(functions, uri => uri.EndsWith("/prod/shop/payments-worker:latest", StringComparison.Ordinal));
        Assert.Contains(functions, uri => uri.EndsWith("/prod/shop/images-worker:latest", StringComparison.Ordinal));
        Assert.Equal([ShopService.Notifications, ShopService.Search], shop.Shop.Services.WorkerServices.Keys);
    }

    [Fact]
    public void Should_not_let_the_payments_function_receive_from_the_image_queues()
    {
        var payments = RolePermissions.Of(shop.Services, shop.Shop.Services, shop.Shop.Services.Roles[ShopService.Payments]);
        var receives = payments.Where(p => p.Action == "sqs:ReceiveMessage").ToList();

        Assert.NotEmpty(receives);
        foreach (var imageQueue in QueuesOf(ShopService.Images))
            Assert.DoesNotContain(receives, p => p.IsFor(imageQueue));
        Assert.All(receives, p => Assert.Contains(QueuesOf(ShopService.Payments), q => p.IsFor(q)));
    }

    [Fact]
    public void Should_keep_lambda_fed_messages_invisible_for_six_function_timeouts()
    {
        var queues = SynthesizedShop.Resources(shop.Messaging, "AWS::SQS::Queue").Values
            .ToDictionary(q => q["Properties"]!["QueueName"]!.GetValue<string>(), q => q["Properties"]!["VisibilityTimeout"] is { } timeout ? SynthesizedShop.Int(timeout) : (int?)null);

        Assert.Equal(shop.Shop.Settings.LambdaTimeoutSeconds * 6, queues["prod-process-payment"]);
        Assert.Equal(30, queues["prod-order-confirmed-notification"]);
    }

    [Fact]
    public void Should_serve_https_with_the_certificate_and_redirect_http()
    {
        shop.Services.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Protocol"] = "HTTPS",
            ["Port"] = 443,
            ["Certificates"] = new[] { new Dictionary<string, object> { ["CertificateArn"] = LambdaShop.CertificateArn } },
        }));
        shop.Services.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Protocol"] = "HTTP",
            ["Port"] = 80,
            ["DefaultActions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object> { ["Type"] = "redirect" })]),
        }));
    }
}
