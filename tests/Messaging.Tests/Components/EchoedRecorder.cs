using MassTransit;
using Shop.Messaging.Tests.Infrastructure;

namespace Shop.Messaging.Tests.Components;

/// <summary>The second service's consumer: writes to its own database, and answers with a message of its own.</summary>
public sealed class EchoedRecorder(SecondServiceDbContext db) : IConsumer<Echoed>
{
    public async Task Consume(ConsumeContext<Echoed> context)
    {
        db.Effects.Add(new Effect { Key = context.Message.Key, Consumer = nameof(EchoedRecorder) });
        await context.Publish(new Ping(context.Message.Key));
    }
}
