using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed record WireProbe(Guid Id, string Text);

public sealed record ProbeSeen(Guid? MessageId, Guid? CorrelationId, string? TransportMessageId);

public sealed class WireProbeConsumer(MessageLogRegistry logs) : IConsumer<WireProbe>
{
    public Task Consume(ConsumeContext<WireProbe> context)
    {
        logs.Log.Add(new ProbeSeen(context.MessageId, context.CorrelationId,
            context.ReceiveContext.TransportHeaders.Get<string>(MessageHeaders.MessageId)));
        return Task.CompletedTask;
    }
}

public sealed class WireFormatTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task An_envelope_keeps_its_ids_in_the_body_while_raw_json_carries_them_as_attributes()
    {
        var prefix = fauxqs.Name("wire");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, _ => { });
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:wire-probes"));

        Guid enveloped = NewId.NextGuid(), raw = NewId.NextGuid(), correlation = NewId.NextGuid();
        await endpoint.Send(new WireProbe(Guid.NewGuid(), "enveloped"), c =>
        {
            c.MessageId = enveloped;
            c.CorrelationId = correlation;
        });
        await endpoint.Send(new WireProbe(Guid.NewGuid(), "raw"), c =>
        {
            c.MessageId = raw;
            c.CorrelationId = correlation;
            c.Serializer = new SystemTextJsonRawMessageSerializer();
        });

        var url = (await fauxqs.Sqs.GetQueueUrlAsync(new AmazonSqsEntityNames(prefix + "-").Queue("wire-probes"))).QueueUrl;
        var messages = await fauxqs.Receive(url, 2);
        Assert.Equal(2, messages.Count);

        var envelope = Assert.Single(messages, m => m.Body.Contains("enveloped"));
        Assert.Equal([SqsTransportHeaders.ContentType], envelope.MessageAttributes.Keys);
        Assert.StartsWith("application/vnd.masstransit+json", envelope.MessageAttributes[SqsTransportHeaders.ContentType].StringValue);
        Assert.Contains(enveloped.ToString("D"), envelope.Body);
        Assert.Contains(correlation.ToString("D"), envelope.Body);

        var plain = Assert.Single(messages, m => m.Body.Contains("\"raw\""));
        Assert.DoesNotContain(raw.ToString("D"), plain.Body);
        Assert.Equal(raw.ToString("D"), plain.MessageAttributes[MessageHeaders.MessageId].StringValue);
        Assert.Equal(correlation.ToString("D"), plain.MessageAttributes[MessageHeaders.CorrelationId].StringValue);
    }

    [Fact]
    public async Task A_consumer_sees_the_envelopes_ids_and_not_the_id_sqs_gave_the_message()
    {
        var prefix = fauxqs.Name("wireid");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<WireProbeConsumer>());
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        Guid messageId = NewId.NextGuid(), correlation = NewId.NextGuid();
        await bus.Bus.Publish(new WireProbe(Guid.NewGuid(), "consumed"), c =>
        {
            c.MessageId = messageId;
            c.CorrelationId = correlation;
        });

        var seen = Assert.Single(await log.WaitFor<ProbeSeen>(s => s.MessageId == messageId));
        Assert.Equal(correlation, seen.CorrelationId);
        // SQS's own id stands in only for producers without an envelope (RawMessageTests); here it must not appear.
        Assert.Null(seen.TransportMessageId);
    }
}
