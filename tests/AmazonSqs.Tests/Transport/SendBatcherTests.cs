using Amazon.SQS;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging.AmazonSqs.Transport;
using Shop.Testing;
using Xunit;

namespace Shop.AmazonSqs.Tests.Transport;

/// <summary>The send batcher while SQS is slow: a stalling proxy in front of fauxqs holds its requests.</summary>
public sealed class When_SQS_stalls_under_the_send_batcher(FauxqsEnvironment fauxqs) : IClassFixture<FauxqsEnvironment>
{
    const int Capacity = 20;

    [Fact]
    public async Task Should_never_deliver_a_send_whose_caller_gave_up_while_it_waited()
    {
        var queue = await fauxqs.CreateQueue(fauxqs.Name("cancelled"));
        await using var proxy = new StallingProxy(fauxqs.Endpoint);
        using var sqs = TestTransport.CreateSqsClient(proxy.Endpoint);
        var batcher = new SqsSendBatcher(sqs, queue.Url, Capacity);

        proxy.Stall();
        var onTheirWay = await FillEveryBatchInFlight(batcher, "on-its-way");

        using var givingUp = new CancellationTokenSource();
        var abandoned = Enumerable.Range(0, 10).Select(i => batcher.SendAsync(Message($"abandoned-{i}"), givingUp.Token)).ToList();
        await Eventually.Returns(() => Task.FromResult(batcher.Queued), n => n == abandoned.Count, "the abandoned sends to be queued");
        await givingUp.CancelAsync();
        foreach (var send in abandoned)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);

        var after = batcher.SendAsync(Message("after"), CancellationToken.None);
        proxy.Resume();
        await Task.WhenAll([.. onTheirWay, after]);
        // Disposing waits for every batch the batcher will ever send: what is in the queue now is all it sent.
        await batcher.DisposeAsync();

        var bodies = await AllBodies(sqs, queue.Url, expected: onTheirWay.Count + 1);
        Assert.DoesNotContain(bodies, body => body.StartsWith("abandoned", StringComparison.Ordinal));
        Assert.Contains("after", bodies);
    }

    [Fact]
    public async Task Should_make_senders_wait_for_room_instead_of_growing_its_queue_and_lose_none_of_them()
    {
        var queue = await fauxqs.CreateQueue(fauxqs.Name("bounded"));
        await using var proxy = new StallingProxy(fauxqs.Endpoint);
        using var sqs = TestTransport.CreateSqsClient(proxy.Endpoint);
        var batcher = new SqsSendBatcher(sqs, queue.Url, Capacity);

        proxy.Stall();
        var onTheirWay = await FillEveryBatchInFlight(batcher, "on-its-way");
        var waiting = Enumerable.Range(0, 100).Select(i => batcher.SendAsync(Message($"waiting-{i}"), CancellationToken.None)).ToList();
        using var givingUp = new CancellationTokenSource();
        var abandoned = Enumerable.Range(0, 10).Select(i => batcher.SendAsync(Message($"abandoned-{i}"), givingUp.Token)).ToList();

        await Eventually.Returns(() => Task.FromResult(batcher.Queued), n => n >= Capacity, "the queue to fill");
        Assert.Equal(Capacity, batcher.Queued);
        Assert.All(waiting.Concat(abandoned), send => Assert.False(send.IsCompleted));

        // Senders still waiting for room give up: they never enter the queue.
        await givingUp.CancelAsync();
        foreach (var send in abandoned)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.Equal(Capacity, batcher.Queued);

        proxy.Resume();
        await Task.WhenAll(onTheirWay.Concat(waiting));
        await batcher.DisposeAsync();

        var bodies = await AllBodies(sqs, queue.Url, expected: onTheirWay.Count + waiting.Count);
        Assert.Equal(waiting.Count, bodies.Count(body => body.StartsWith("waiting", StringComparison.Ordinal)));
        Assert.DoesNotContain(bodies, body => body.StartsWith("abandoned", StringComparison.Ordinal));
    }

    /// <summary>One send per batch until every batch the batcher may have in flight is held by the stalled proxy.</summary>
    static async Task<List<Task>> FillEveryBatchInFlight(SqsSendBatcher batcher, string name)
    {
        var sends = new List<Task>();
        for (var i = 1; i <= Batcher<SqsOutgoingMessage>.MaxBatchesInFlight; i++)
        {
            sends.Add(batcher.SendAsync(Message($"{name}-{i}"), CancellationToken.None));
            var expected = i;
            await Eventually.Returns(() => Task.FromResult(batcher.BatchesInFlight), n => n == expected, $"{expected} batch(es) in flight");
        }

        await Eventually.Returns(() => Task.FromResult(batcher.Queued), n => n == 0, "nothing queued yet");
        return sends;
    }

    static SqsOutgoingMessage Message(string body) => new(body, []);

    /// <summary>Every message in the queue, after checking SQS holds exactly <paramref name="expected"/>.</summary>
    async Task<List<string>> AllBodies(IAmazonSQS sqs, string queueUrl, int expected)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"]);
        Assert.Equal(expected, attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesDelayed);
        return (await fauxqs.Receive(queueUrl, expected, TimeSpan.FromSeconds(30))).Select(m => m.Body).ToList();
    }
}
