using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.Tests.Components;
using Shop.Testing;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>A service as Shop builds one (generic host + AddShopMessaging on a DbContext), on the test's broker vhost and database.</summary>
public sealed class ShopTestHost : IAsyncDisposable
{
    readonly TestService _service;
    readonly TestEnvironment _environment;

    ShopTestHost(TestService service, TestEnvironment environment)
    {
        _service = service;
        _environment = environment;
    }

    public IServiceProvider Services => _service.Services;
    public MessageLog Observed => Services.GetRequiredService<MessageLog>();
    public Attempts Attempts => Services.GetRequiredService<Attempts>();
    public IBus Bus => _service.Bus;

    /// <summary>On top of <see cref="TestServiceBuilder.FastRetries"/>; a test passes more to override them.</summary>
    static Dictionary<string, string?> Defaults(TestEnvironment environment) => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMq:Url"] = environment.RabbitMqUrl,
        ["Messaging:PrefetchCount"] = "16",
        ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:00.500",
        ["Messaging:DurableStore:SendTimeout"] = "00:00:03",
    };

    public static async Task<ShopTestHost> Start(TestEnvironment environment, IDictionary<string, string?>? settings = null,
        Action<IBusRegistrationConfigurator>? configureBus = null, Action<DbContextOptionsBuilder>? useDatabase = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var service = await TestServiceBuilder.Worker()
            .With(Defaults(environment))
            .With(settings ?? new Dictionary<string, string?>())
            .Add(builder =>
            {
                builder.Services.AddDbContextPool<TestDbContext>(useDatabase ?? (o => o.UseNpgsql(environment.ConnectionString)));
                builder.Services.AddSingleton<MessageLog>();
                builder.Services.AddSingleton<Attempts>();
                configureServices?.Invoke(builder.Services);
                builder.Services.AddShopMessaging<TestDbContext>(builder.Configuration, configureBus ?? AddTestComponents);
            })
            .Start();
        return new ShopTestHost(service, environment);
    }

    public static void AddTestComponents(IBusRegistrationConfigurator x)
    {
        x.AddConsumer<RecordEffectConsumer>();
        x.AddConsumer<RecordAtCommitConsumer>();
        x.AddConsumer<RecordOutsideConsumer>();
        x.AddConsumer<RecordKeyedAtCommitConsumer>();
        x.AddConsumer<PublishThenFailConsumer>();
        x.AddConsumer<FlakyWorkConsumer>();
        x.AddConsumer<DoomedWorkConsumer>();
        x.AddConsumer<BrokenWorkConsumer>();
        x.AddConsumer<SchedulePingConsumer>();
        x.AddObserver<Echoed>();
        x.AddConsumer<PingObserver>();
        x.AddObserver<CounterReminded>();
        x.AddObserver<Fault<DoomedWork>>();
        x.AddObserver<Fault<BrokenWork>>();
        x.AddObserver<Fault<StartCounter>>();
        x.AddObserver<Fault<RecordAtCommit>>();
        x.AddObserver<Fault<RecordOutside>>();
        x.AddObserver<Fault<RecordKeyedAtCommit>>();
        x.AddSagaStateMachine<CounterStateMachine, CounterState>();
    }

    /// <summary>Runs <paramref name="work"/> in a fresh scope, as an HTTP request would.</summary>
    public async Task InScope(Func<IServiceProvider, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    /// <summary>Waits until nothing is left to send, queued or being received (see <see cref="Quiescence"/>).</summary>
    public Task WaitUntilQuiet(TimeSpan? timeout = null) => Quiescence.WaitUntilQuiet(
    [
        Quiescence.OutboxEmpty<TestDbContext>(Services),
        _environment.QueuesEmpty(),
        Quiescence.NothingReceiving(_service.Receiving)
    ], timeout);

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
