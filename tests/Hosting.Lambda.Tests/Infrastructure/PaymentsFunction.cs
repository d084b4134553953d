using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Shop.Contracts.Payments;

namespace Shop.Hosting.Lambda.Tests.Infrastructure;

/// <summary>The real Payments worker as a Lambda function (see <see cref="WorkerFunction"/>); hears the PaymentCompleted it publishes.</summary>
public sealed class PaymentsFunction : WorkerFunction
{
    public const string Endpoint = "process-payment";

    public ConcurrentBag<PaymentCompleted> Completed { get; } = [];

    protected override string AssemblyFile => "Shop.Payments.Worker.dll";

    protected override string DatabaseName => "Payments";

    protected override void AddWorkerSettings(IDictionary<string, string?> environment)
    {
        environment["Payments__Gateway__Latency"] = "00:00:00";
        environment["Payments__Gateway__FlakyFailures"] = "2";
        environment["Payments__Gateway__Resilience__CircuitBreakerMinimumThroughput"] = "100000";
    }

    protected override void AddObservers(IServiceCollection services, IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<CompletedObserver>();
        services.AddSingleton(Completed);
    }

    /// <summary>Sends the commands with our transport, then takes their SQS messages off the queue as SQS records.</summary>
    public Task<List<System.Text.Json.Nodes.JsonObject>> ProduceRecords(IReadOnlyList<ProcessPayment> commands) =>
        ProduceRecords(Endpoint, commands.Count, async bus =>
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + Endpoint));
            foreach (var command in commands)
                await endpoint.Send(command);
        });

    public Task<List<string>> TakeErrors() => TakeErrors(Endpoint);

    public async Task<int> Payments(Guid orderId) => await Count("SELECT count(*) FROM payments WHERE order_id = @id", orderId);

    public sealed class CompletedObserver(ConcurrentBag<PaymentCompleted> completed) : IConsumer<PaymentCompleted>
    {
        public Task Consume(ConsumeContext<PaymentCompleted> context)
        {
            completed.Add(context.Message);
            return Task.CompletedTask;
        }
    }
}
