using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Constructs;
using Shop.Deploy.Aws.Topology;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// An ECR repository per service image, deployed first: images are pushed here, and the services stack runs the tag
/// given in <c>imageTag</c>. Workers on Lambda run the same image as on ECS.
/// </summary>
public sealed class RegistryStack : Stack
{
    public RegistryStack(Construct scope, string id, DeploymentSettings settings, IStackProps props) : base(scope, id, props)
    {
        foreach (var service in ShopService.All)
        {
            new Repository(this, service.Name + "-repository", new RepositoryProps
            {
                RepositoryName = RepositoryName(settings, service),
                ImageScanOnPush = true,
                // Mutable so that "latest" works for a first try; roll-outs use a tag per build (docs/deploy-aws.md).
                ImageTagMutability = TagMutability.MUTABLE,
                LifecycleRules = [new LifecycleRule { MaxImageCount = 30, Description = "keep the last 30 images" }],
                RemovalPolicy = RemovalPolicy.RETAIN,
            });
        }
    }

    public static string RepositoryName(DeploymentSettings settings, ShopService service) =>
        $"{settings.Environment}/{service.ImageRepositoryName}";
}
