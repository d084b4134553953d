using MassTransit;
using Shop.AmazonSqs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed class PublishAndSendTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task A_published_event_reaches_every_endpoint_that_consumes_it()
    {
        await using var bus = await SqsBus.StartAsync(fauxqs, fauxqs.Name("pub"), x =>
        {
            x.AddConsumer<PingConsumer>();
            x.AddConsumer<SecondPingConsumer>();
        });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingSent(id, "hello"));

        var seen = await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id, count: 2);
        Assert.Equal(["PingConsumer", "SecondPingConsumer"], seen.Select(s => s.Consumer).Order().ToArray());
        Assert.All(seen, s => Assert.Equal("hello", s.Message.Text));
    }
}
