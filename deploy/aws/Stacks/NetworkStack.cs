using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;

namespace Shop.Deploy.Aws.Stacks;

/// <summary>
/// The VPC: public subnets hold only the load balancer and the NAT gateway; the services run in private subnets with
/// outbound access; the database sits in isolated subnets without any route to the internet.
/// </summary>
public sealed class NetworkStack : Stack
{
    public const string PublicSubnets = "public";
    public const string ApplicationSubnets = "app";
    public const string DataSubnets = "data";

    public NetworkStack(Construct scope, string id, DeploymentSettings settings, IStackProps props) : base(scope, id, props)
    {
        Vpc = settings.VpcId is { } vpcId
            ? Amazon.CDK.AWS.EC2.Vpc.FromLookup(this, "Vpc", new VpcLookupOptions { VpcId = vpcId })
            : new Vpc(this, "Vpc", new VpcProps
            {
                MaxAzs = 2,
                NatGateways = settings.NatGateways,
                SubnetConfiguration =
                [
                    new SubnetConfiguration { Name = PublicSubnets, SubnetType = SubnetType.PUBLIC, CidrMask = 24, MapPublicIpOnLaunch = false },
                    new SubnetConfiguration { Name = ApplicationSubnets, SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 22 },
                    new SubnetConfiguration { Name = DataSubnets, SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
                ],
            });
    }

    public IVpc Vpc { get; }

    public static SubnetSelection Application => new() { SubnetType = SubnetType.PRIVATE_WITH_EGRESS };
    public static SubnetSelection Data => new() { SubnetType = SubnetType.PRIVATE_ISOLATED };
}
