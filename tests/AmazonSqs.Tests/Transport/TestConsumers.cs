using MassTransit;

namespace Shop.AmazonSqs.Tests.Transport;

public sealed class PingConsumer(MessageLogRegistry logs) : IConsumer<PingSent>
{
    public Task Consume(ConsumeContext<PingSent> context)
    {
        logs.Log.Add(new Seen<PingSent>(nameof(PingConsumer), context.Message, context.ReceiveContext.Redelivered));
        return Task.CompletedTask;
    }
}

public sealed class SecondPingConsumer(MessageLogRegistry logs) : IConsumer<PingSent>
{
    public Task Consume(ConsumeContext<PingSent> context)
    {
        logs.Log.Add(new Seen<PingSent>(nameof(SecondPingConsumer), context.Message, context.ReceiveContext.Redelivered));
        return Task.CompletedTask;
    }
}

public sealed record Seen<T>(string Consumer, T Message, bool Redelivered);

public sealed class OrderedStepConsumer(MessageLogRegistry logs) : IConsumer<OrderedStep>
{
    public async Task Consume(ConsumeContext<OrderedStep> context)
    {
        // A little jitter: were two messages of a group processed at once, the later one would often finish first.
        await Task.Delay(Random.Shared.Next(5, 40));
        logs.Log.Add(new Seen<OrderedStep>(nameof(OrderedStepConsumer), context.Message, context.ReceiveContext.Redelivered));
    }
}

public sealed class SlowConsumer(MessageLogRegistry logs) : IConsumer<ProcessSlowly>
{
    public async Task Consume(ConsumeContext<ProcessSlowly> context)
    {
        logs.Log.Add(new Started(context.Message.Id));
        await Task.Delay(TimeSpan.FromSeconds(context.Message.Seconds));
        logs.Log.Add(new Seen<ProcessSlowly>(nameof(SlowConsumer), context.Message, context.ReceiveContext.Redelivered));
    }
}

public sealed record Started(Guid Id);

public sealed class BigDocumentConsumer(MessageLogRegistry logs) : IConsumer<BigDocument>
{
    public Task Consume(ConsumeContext<BigDocument> context)
    {
        logs.Log.Add(new Seen<BigDocument>(nameof(BigDocumentConsumer), context.Message, context.ReceiveContext.Redelivered));
        return Task.CompletedTask;
    }
}

public sealed class AlwaysFailsConsumer : IConsumer<AlwaysFails>
{
    public Task Consume(ConsumeContext<AlwaysFails> context) =>
        throw new InvalidOperationException($"Refusing {context.Message.Id} on purpose");
}

public sealed class FaultObserver(MessageLogRegistry logs) : IConsumer<Fault<AlwaysFails>>
{
    public Task Consume(ConsumeContext<Fault<AlwaysFails>> context)
    {
        logs.Log.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Fails with a transient error the first time it sees a message, succeeds on the redelivery.</summary>
public sealed class FlakyConsumer(MessageLogRegistry logs) : IConsumer<PingSent>
{
    public Task Consume(ConsumeContext<PingSent> context)
    {
        var attempts = logs.Log.All<Started>(s => s.Id == context.Message.Id).Count;
        logs.Log.Add(new Started(context.Message.Id));
        if (attempts == 0)
            throw new Shop.Messaging.TransientException("the first attempt fails");
        logs.Log.Add(new Seen<PingSent>(nameof(FlakyConsumer), context.Message, context.ReceiveContext.Redelivered));
        return Task.CompletedTask;
    }
}
