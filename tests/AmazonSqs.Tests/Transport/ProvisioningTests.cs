using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed class ProvisioningTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    static readonly Dictionary<string, string?> InfrastructureAsCode = new() { ["Messaging:AmazonSqs:CreateResources"] = "false" };

    [Fact]
    public async Task With_creation_off_a_service_uses_resources_made_beforehand_and_creates_nothing()
    {
        var prefix = fauxqs.Name("iac");
        // Stands in for the infrastructure code: the same topology, created once.
        await (await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<PingConsumer>())).DisposeAsync();
        var before = (await fauxqs.Sqs.ListQueuesAsync(prefix)).QueueUrls.Count;

        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<PingConsumer>(), InfrastructureAsCode);
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;
        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingSent(id, "via an existing topic"));

        await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id);
        Assert.Equal(before, (await fauxqs.Sqs.ListQueuesAsync(prefix)).QueueUrls.Count);
    }

    [Fact]
    public async Task With_creation_off_a_missing_queue_stops_the_start_with_the_reason()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() =>
            SqsBus.StartAsync(fauxqs, fauxqs.Name("missing"), x => x.AddConsumer<PingConsumer>(),
                new Dictionary<string, string?>(InfrastructureAsCode) { ["Messaging:StartTimeout"] = "00:00:10" }));

        Assert.Contains("does not exist", failure.ToString());
        Assert.Contains("CreateResources=false", failure.ToString());
    }
}
