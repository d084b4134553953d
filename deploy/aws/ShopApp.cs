using Amazon.CDK;
using Shop.Deploy.Aws.Stacks;
using Shop.Deploy.Aws.Topology;

namespace Shop.Deploy.Aws;

/// <summary>The stacks of one environment, in deployment order: registry, network, messaging, data, services.</summary>
public sealed class ShopApp
{
    public ShopApp(App app, DeploymentSettings settings)
    {
        Settings = settings;
        Topology = BusTopologyReader.Read(settings.QueuePrefix);

        var env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region };
        StackProps Props(string description) => new()
        {
            Env = settings.Account is null && settings.Region is null ? null : env,
            Description = description,
            Tags = new Dictionary<string, string> { ["shop:environment"] = settings.Environment },
        };

        var prefix = settings.StackPrefix;
        Registry = new RegistryStack(app, $"{prefix}-Registry", settings, Props("Shop: an ECR repository per service image"));
        Network = new NetworkStack(app, $"{prefix}-Network", settings, Props("Shop: VPC with public, application and isolated data subnets"));
        Messaging = new MessagingStack(app, $"{prefix}-Messaging", settings, Topology, Props("Shop: SNS topics and SQS queues of the transport topology"));
        Data = new DataStack(app, $"{prefix}-Data", settings, Network.Vpc, Topology, Props("Shop: PostgreSQL, per-service logins, blob bucket"));
        Data.AddDependency(Messaging, "the bucket notifies the image upload queue");
        Services = new ServicesStack(app, $"{prefix}-Services", settings, Network.Vpc, Data, Topology, Props("Shop: ECS cluster, load balancer, workers"));
        Services.AddDependency(Messaging, "the services use the queues and topics by name");
        Services.AddDependency(Registry, "the services run images from the repositories");
    }

    public DeploymentSettings Settings { get; }
    public ShopTopology Topology { get; }
    public RegistryStack Registry { get; }
    public NetworkStack Network { get; }
    public MessagingStack Messaging { get; }
    public DataStack Data { get; }
    public ServicesStack Services { get; }
}
