using System.Text.Json.Nodes;
using Shop.Deployment.Aws.Tests.Infrastructure;

namespace Shop.Deployment.Aws.Tests;

/// <summary>Nothing reachable from the internet but the load balancer, in either host configuration.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class PublicExposureTests(EcsShop ecs, LambdaShop lambda)
{
    public static TheoryData<string> Configurations => ["ecs", "lambda"];

    SynthesizedShop Shop(string configuration) => configuration == "ecs" ? ecs : lambda;

    IEnumerable<JsonObject> All(string configuration, string type) =>
        Shop(configuration).All.SelectMany(t => SynthesizedShop.Resources(t, type).Values);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Should_open_only_the_load_balancer_to_the_internet(string configuration)
    {
        var shop = Shop(configuration);
        var balancer = Assert.Single(All(configuration, "AWS::ElasticLoadBalancingV2::LoadBalancer"));
        Assert.Equal("internet-facing", balancer["Properties"]!["Scheme"]!.GetValue<string>());
        var balancerGroup = balancer["Properties"]!["SecurityGroups"]![0]!["Fn::GetAtt"]![0]!.GetValue<string>();

        var groups = SynthesizedShop.Resources(shop.Services, "AWS::EC2::SecurityGroup");
        foreach (var (id, group) in groups)
        {
            var open = (group["Properties"]!["SecurityGroupIngress"]?.AsArray() ?? [])
                .Where(rule => rule!["CidrIp"]?.GetValue<string>() == "0.0.0.0/0" || rule!["CidrIpv6"]?.GetValue<string>() == "::/0")
                .ToList();
            if (id == balancerGroup)
                Assert.Equal(configuration == "ecs" ? [80] : [443, 80], open.Select(rule => SynthesizedShop.Int(rule!["FromPort"]!)));
            else
                Assert.Empty(open);
        }
        Assert.DoesNotContain(All(configuration, "AWS::EC2::SecurityGroupIngress"),
            rule => rule["Properties"]!["CidrIp"] is not null || rule["Properties"]!["CidrIpv6"] is not null);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Should_give_nothing_else_a_public_address(string configuration)
    {
        Assert.All(All(configuration, "AWS::RDS::DBInstance"), db => Assert.False(db["Properties"]!["PubliclyAccessible"]!.GetValue<bool>()));
        Assert.All(All(configuration, "AWS::ECS::Service"), service =>
            Assert.Equal("DISABLED", service["Properties"]!["NetworkConfiguration"]!["AwsvpcConfiguration"]!["AssignPublicIp"]!.GetValue<string>()));
        Assert.All(All(configuration, "AWS::EC2::Subnet"), subnet =>
            Assert.False(subnet["Properties"]!["MapPublicIpOnLaunch"]!.GetValue<bool>()));
        Assert.Empty(All(configuration, "AWS::Lambda::Url"));
        // The workers' functions run in the private subnets (CDK's own custom-resource functions have no endpoint at all).
        Assert.All(All(configuration, "AWS::Lambda::Function").Where(f => f["Properties"]!["PackageType"]?.GetValue<string>() == "Image"),
            function => Assert.NotNull(function["Properties"]!["VpcConfig"]));
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Should_grant_no_resource_to_everyone(string configuration)
    {
        var policies = new[] { "AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy", "AWS::Lambda::Permission" }
            .SelectMany(type => All(configuration, type)).ToList();
        Assert.NotEmpty(policies);

        foreach (var policy in policies)
        {
            var properties = policy["Properties"]!;
            if (properties["Principal"] is { } principal)
            {
                Assert.NotEqual("*", principal.ToString());
                continue;
            }
            foreach (var statement in properties["PolicyDocument"]!["Statement"]!.AsArray())
            {
                if (statement!["Effect"]!.GetValue<string>() != "Allow") continue;
                var who = statement["Principal"]!;
                Assert.False(who.ToJsonString() is "\"*\"" or "{\"AWS\":\"*\"}", $"a policy allows everyone: {statement.ToJsonString()}");
            }
        }
    }
}
