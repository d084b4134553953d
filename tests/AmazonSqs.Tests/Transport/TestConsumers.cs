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
