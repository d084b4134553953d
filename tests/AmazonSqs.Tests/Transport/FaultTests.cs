using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Testing;
using Shop.Messaging.AmazonSqs.Topology;
using Shop.Messaging.AmazonSqs.Transport;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed class FaultTests(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    [Fact]
    public async Task A_failing_message_goes_to_the_error_queue_with_its_fault_headers_in_at_most_ten_attributes()
    {
        var prefix = fauxqs.Name("err");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x =>
        {
            x.AddConsumer<AlwaysFailsConsumer>();
            x.AddConsumer<FaultObserver>();
        });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        await bus.Bus.Publish(new AlwaysFails(id));

        var fault = Assert.Single(await log.WaitFor<Fault<AlwaysFails>>(f => f.Message.Id == id));
        Assert.Contains("on purpose", fault.Exceptions.Single().Message);

        var names = new AmazonSqsEntityNames(prefix + "-");
        var error = (await fauxqs.Sqs.GetQueueUrlAsync(names.ErrorQueue("always-fails"))).QueueUrl;
        var moved = Assert.Single(await fauxqs.Receive(error, 1));
        Assert.Contains(id.ToString(), moved.Body);
        Assert.InRange(moved.MessageAttributes.Count, 1, SqsTransportHeaders.MaxAttributes);
        var headers = SqsTransportHeaders.FromAttributes(moved.MessageAttributes.Select(a => new KeyValuePair<string, string>(a.Key, a.Value.StringValue)));
        Assert.Equal("System.InvalidOperationException", headers["MT-Fault-ExceptionType"]);
        Assert.Contains("on purpose", headers["MT-Fault-Message"]);
        Assert.StartsWith("application/vnd.masstransit+json", headers["Content-Type"]);

        var source = (await fauxqs.Sqs.GetQueueUrlAsync(names.Queue("always-fails"))).QueueUrl;
        // Nothing visible, in flight or delayed: deleted, so it cannot come back.
        await Eventually.Returns(() => fauxqs.Depth(source), n => n == 0, "the faulted message to leave its queue");
    }

    [Fact]
    public async Task A_message_that_faults_in_the_transport_on_every_receive_goes_to_the_error_queue_at_the_limit()
    {
        var prefix = fauxqs.Name("poison");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<PingConsumer>(),
            new Dictionary<string, string?> { ["Messaging:AmazonSqs:MaxReceiveCount"] = "2" });
        var names = new AmazonSqsEntityNames(prefix + "-");
        var source = (await fauxqs.Sqs.GetQueueUrlAsync(names.Queue("ping"))).QueueUrl;

        // A claim check whose body is gone: the transport cannot even hand the message to the pipeline, on any receive.
        var body = "{\"lost\":true}";
        await fauxqs.Sqs.SendMessageAsync(new Amazon.SQS.Model.SendMessageRequest
        {
            QueueUrl = source,
            MessageBody = body,
            MessageAttributes = new()
            {
                [SqsTransportHeaders.BodyReference] = new() { DataType = "String", StringValue = "messages/" + Guid.NewGuid() }
            }
        });

        var error = (await fauxqs.Sqs.GetQueueUrlAsync(names.ErrorQueue("ping"))).QueueUrl;
        var moved = Assert.Single(await fauxqs.Receive(error, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(body, moved.Body);
        var headers = SqsTransportHeaders.FromAttributes(moved.MessageAttributes.Select(a => new KeyValuePair<string, string>(a.Key, a.Value.StringValue)));
        Assert.Contains("MaxReceiveCount 2", headers["MT-Reason"]);
        Assert.False(string.IsNullOrEmpty(headers["MT-Fault-ExceptionType"]));
        Assert.True(headers.ContainsKey(SqsTransportHeaders.BodyReference), "the reference travels with the message");

        // Gone from the source queue, not merely hidden: nothing visible, in flight or delayed, so it cannot come back.
        await Eventually.Returns(() => fauxqs.Depth(source), n => n == 0, "the message to leave its queue");
    }

    [Fact]
    public async Task A_message_no_consumer_of_the_endpoint_takes_goes_to_the_skipped_queue()
    {
        var prefix = fauxqs.Name("skip");
        await using var bus = await SqsBus.StartAsync(fauxqs, prefix, x => x.AddConsumer<PingConsumer>());

        var id = Guid.NewGuid();
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri("queue:ping"));
        await endpoint.Send(new Unhandled(id));

        var names = new AmazonSqsEntityNames(prefix + "-");
        var skipped = (await fauxqs.Sqs.GetQueueUrlAsync(names.SkippedQueue("ping"))).QueueUrl;
        var moved = Assert.Single(await fauxqs.Receive(skipped, 1));
        Assert.Contains(id.ToString(), moved.Body);
    }

    [Fact]
    public async Task A_transient_failure_is_redelivered_later_and_then_succeeds()
    {
        await using var bus = await SqsBus.StartAsync(fauxqs, fauxqs.Name("redeliver"), x => x.AddConsumer<FlakyConsumer>(),
            new Dictionary<string, string?>
            {
                ["Messaging:Retry:RedeliveryEnabled"] = "true",
                ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:02",
            });
        var log = bus.Services.GetRequiredService<MessageLogRegistry>().Log;

        var id = Guid.NewGuid();
        await bus.Bus.Publish(new PingSent(id, "flaky"));

        var seen = Assert.Single(await log.WaitFor<Seen<PingSent>>(s => s.Message.Id == id));
        Assert.Equal(2, log.All<Started>(s => s.Id == id).Count);
        Assert.Equal(nameof(FlakyConsumer), seen.Consumer);
    }
}
