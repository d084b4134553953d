using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Topology;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed record ExternalNotice(string Kind, int Count);

public sealed record NoticeId(Guid? MessageId);

public sealed class ExternalNoticeConsumer(MessageLogRegistry logs) : IConsumer<ExternalNotice>
{
    public Task Consume(ConsumeContext<ExternalNotice> context)
    {
        logs.Log.Add(context.Message);
        logs.Log.Add(new NoticeId(context.MessageId));
        return Task.CompletedTask;
    }
}

public sealed class RawMessageTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task Plain_json_from_a_producer_that_is_not_masstransit_is_consumed_on_a_raw_json_endpoint()
    {
        var prefix = fauxqs.Name("raw");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<ExternalNoticeConsumer>().Endpoint(e =>
        {
            e.Name = "external-notices";
            e.ConfigureConsumeTopology = false;
            e.AddConfigureEndpointCallback(c => c.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true));
        }));
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var url = (await fauxqs.Sqs.GetQueueUrlAsync(new AmazonSqsEntityNames(prefix + "-").Queue("external-notices"))).QueueUrl;
        var sent = await fauxqs.Sqs.SendMessageAsync(url, """{"kind":"ObjectCreated","count":3}""");

        var notice = Assert.Single(await log.WaitFor<ExternalNotice>(n => n.Kind == "ObjectCreated"));
        Assert.Equal(3, notice.Count);
        // Without a MassTransit envelope, SQS's message id is the message id the inbox deduplicates on. The consumer logs
        // it after the notice: waited for, not read at once (read at once, a busy machine found it not logged yet).
        Assert.Equal(Guid.Parse(sent.MessageId), Assert.Single(await log.WaitFor<NoticeId>(_ => true)).MessageId);
    }
}
