using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport.Configuration;

namespace Shop.Deploy.Aws.Topology;

/// <summary>
/// Reads the SQS/SNS topology from the services themselves: each service's own registration runs with the SQS
/// transport selected, its bus is built (never started, so nothing is contacted), and each receive endpoint reports the
/// message types it subscribes to, exactly as the transport computes them when it creates its queue.
/// </summary>
public static class BusTopologyReader
{
    public static ShopTopology Read(string prefix) =>
        new(ShopService.All.Select(Read).ToList(), new AmazonSqsEntityNames(prefix));

    public static ServiceTopology Read(ShopService service)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "AmazonSqs",
            // Never contacted: the bus is built, not started.
            ["Messaging:AmazonSqs:ServiceUrl"] = "http://127.0.0.1:9",
            ["Messaging:AmazonSqs:Region"] = "us-east-1",
            ["Messaging:AmazonSqs:AccessKey"] = "topology",
            ["Messaging:AmazonSqs:SecretKey"] = "topology",
            ["Messaging:AmazonSqs:CreateResources"] = "false",
            ["Messaging:AmazonSqs:AccountId"] = "000000000000",
            ["BlobStorage:Provider"] = "S3",
            ["BlobStorage:S3:Bucket"] = "topology",
            ["BlobStorage:S3:ServiceUrl"] = "http://127.0.0.1:9",
            [$"ConnectionStrings:{service.ConnectionStringName}"] = "Host=127.0.0.1;Port=9;Database=topology;Username=topology",
        });

        var endpoints = new EndpointCollector();
        builder.Services.AddSingleton<IConfigureReceiveEndpoint>(endpoints);
        service.Register(builder);

        var provider = builder.Services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IBusControl>();
        }
        finally
        {
            // MassTransit registers services that only dispose asynchronously.
            provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var found = endpoints.Read();
        if (found.Count == 0)
            throw new InvalidOperationException($"{service} configured no receive endpoint on the SQS transport.");
        return new ServiceTopology(service, found, service.Publishes, ShopService.SendsOf(service));
    }

    sealed class EndpointCollector : IConfigureReceiveEndpoint
    {
        readonly List<AmazonSqsReceiveEndpointConfiguration> _endpoints = [];

        public void Configure(string name, IReceiveEndpointConfigurator configurator)
        {
            if (configurator is not AmazonSqsReceiveEndpointConfiguration sqs)
                throw new InvalidOperationException($"Endpoint {name} is not on the SQS transport ({configurator.GetType()}).");
            _endpoints.Add(sqs);
        }

        public IReadOnlyList<EndpointTopology> Read() => _endpoints
            .Select(e => new EndpointTopology(e.QueueName,
                e.ConsumedMessageTypes.OrderBy(t => t.FullName, StringComparer.Ordinal).ToList(),
                SubscribesToTopics: e.ConfigureConsumeTopology))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
    }
}
