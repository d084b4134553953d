using Amazon.CDK.Assertions;
using Shop.Deploy.Aws.Topology;
using Shop.Deployment.Aws.Tests.Infrastructure;

namespace Shop.Deployment.Aws.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class DataStackTests(EcsShop shop)
{
    [Fact]
    public void Should_block_every_kind_of_public_access_to_the_bucket()
    {
        shop.Data.HasResourceProperties("AWS::S3::Bucket", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PublicAccessBlockConfiguration"] = new Dictionary<string, object>
            {
                ["BlockPublicAcls"] = true,
                ["BlockPublicPolicy"] = true,
                ["IgnorePublicAcls"] = true,
                ["RestrictPublicBuckets"] = true,
            },
            ["BucketEncryption"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["ServerSideEncryptionConfiguration"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["ServerSideEncryptionByDefault"] = new Dictionary<string, object> { ["SSEAlgorithm"] = "AES256" },
                })]),
            }),
        }));
    }

    [Fact]
    public void Should_tell_the_image_upload_queue_about_direct_uploads()
    {
        var notifications = Assert.Single(SynthesizedShop.Resources(shop.Data, "Custom::S3BucketNotifications").Values);
        var queue = Assert.Single(notifications["Properties"]!["NotificationConfiguration"]!["QueueConfigurations"]!.AsArray())!;

        Assert.EndsWith(":dev-image-upload-notifications", RolePermissions.Render(queue["QueueArn"]!));
        Assert.Equal("s3:ObjectCreated:*", queue["Events"]![0]!.GetValue<string>());
        var rule = queue["Filter"]!["Key"]!["FilterRules"]![0]!;
        Assert.Equal(("prefix", "uploads/"), (rule["Name"]!.GetValue<string>().ToLowerInvariant(), rule["Value"]!.GetValue<string>()));

        // Only the bucket may send to it.
        var policy = Assert.Single(SynthesizedShop.Resources(shop.Data, "AWS::SQS::QueuePolicy").Values);
        var statement = Assert.Single(policy["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())!;
        Assert.Equal("s3.amazonaws.com", statement["Principal"]!["Service"]!.GetValue<string>());
        Assert.NotNull(statement["Condition"]!["ArnEquals"]!["aws:SourceArn"]);
    }

    [Fact]
    public void Should_keep_the_database_private_encrypted_and_its_password_in_secrets_manager()
    {
        shop.Data.HasResourceProperties("AWS::RDS::DBInstance", Match.ObjectLike(new Dictionary<string, object>
        {
            ["Engine"] = "postgres",
            ["PubliclyAccessible"] = false,
            ["StorageEncrypted"] = true,
            ["MasterUserPassword"] = Match.AnyValue(),
        }));
        var password = SynthesizedShop.Resources(shop.Data, "AWS::RDS::DBInstance").Values.Single()["Properties"]!["MasterUserPassword"]!;
        Assert.Contains("resolve:secretsmanager", RolePermissions.Render(password));
    }

    [Fact]
    public void Should_give_every_service_a_login_of_its_own()
    {
        var secrets = SynthesizedShop.Resources(shop.Data, "AWS::SecretsManager::Secret").Values
            .Select(s => s["Properties"]!["GenerateSecretString"]!["SecretStringTemplate"]!.GetValue<string>())
            .ToList();

        foreach (var service in ShopService.All)
            Assert.Contains(secrets, template => template.Contains($"\"username\":\"{service.DatabaseLogin}\"", StringComparison.Ordinal));
        Assert.Equal(ShopService.All.Count + 1, secrets.Count);
    }
}
