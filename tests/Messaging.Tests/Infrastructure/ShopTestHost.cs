using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop.Messaging.EntityFrameworkCore;
using Shop.Messaging.Tests.Components;
using Shop.Testing;

namespace Shop.Messaging.Tests.Infrastructure;

/// <summary>A service as Shop builds one (generic host + AddShopMessaging on a DbContext), on the test's broker vhost and database.</summary>
public sealed class ShopTestHost : IAsyncDisposable
{
    readonly IHost _host;
    readonly TestEnvironment _environment;
    readonly ReceiveActivity _receiving = new();

    ShopTestHost(IHost host, TestEnvironment environment)
    {
        _host = host;
        _environment = environment;
        Bus.ConnectReceiveObserver(_receiving);
    }

    public IServiceProvider Services => _host.Services;
    public Observed Observed => Services.GetRequiredService<Observed>();
    public Attempts Attempts => Services.GetRequiredService<Attempts>();
    public IBus Bus => Services.GetRequiredService<IBus>();

    /// <summary>Settings short enough for tests; a test passes more to override them.</summary>
    static Dictionary<string, string?> Defaults(TestEnvironment environment) => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMq:Url"] = environment.RabbitMqUrl,
        ["Messaging:PrefetchCount"] = "16",
        ["Messaging:Retry:ImmediateLimit"] = "3",
        ["Messaging:Retry:ImmediateMinInterval"] = "00:00:00.050",
        ["Messaging:Retry:ImmediateMaxInterval"] = "00:00:00.200",
        ["Messaging:Retry:ImmediateIntervalDelta"] = "00:00:00.050",
        ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:00.500",
        ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:00.500",
        ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
        ["Messaging:DurableStore:MinRetryDelay"] = "00:00:00.200",
        ["Messaging:DurableStore:MaxRetryDelay"] = "00:00:01",
        ["Messaging:DurableStore:SendTimeout"] = "00:00:03",
    };

    public static async Task<ShopTestHost> Start(TestEnvironment environment, IDictionary<string, string?>? settings = null,
        Action<IBusRegistrationConfigurator>? configureBus = null, Action<DbContextOptionsBuilder>? useDatabase = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        var configuration = Defaults(environment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;
        builder.Configuration.AddInMemoryCollection(configuration);

        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Shop", Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("SHOP_TEST_LOG_LEVEL") ?? "Warning"))
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("SHOP_TEST_SQL_LOG_LEVEL") ?? "Warning"));
        builder.Services.AddDbContextPool<TestDbContext>(useDatabase ?? (o => o.UseNpgsql(environment.ConnectionString)));
        builder.Services.AddSingleton<Observed>();
        builder.Services.AddSingleton<Attempts>();

        configureServices?.Invoke(builder.Services);
        builder.Services.AddShopMessaging<TestDbContext>(builder.Configuration, configureBus ?? AddTestComponents);

        var host = builder.Build();
        await host.StartAsync();
        return new ShopTestHost(host, environment);
    }

    public static void AddTestComponents(IBusRegistrationConfigurator x)
    {
        x.AddConsumer<RecordEffectConsumer>();
        x.AddConsumer<PublishThenFailConsumer>();
        x.AddConsumer<FlakyWorkConsumer>();
        x.AddConsumer<DoomedWorkConsumer>();
        x.AddConsumer<BrokenWorkConsumer>();
        x.AddConsumer<SchedulePingConsumer>();
        x.AddConsumer<EchoedObserver>();
        x.AddConsumer<PingObserver>();
        x.AddConsumer<CounterRemindedObserver>();
        x.AddConsumer<FaultObserver>();
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
        Quiescence.NothingReceiving(_receiving)
    ], timeout);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(15));
        _host.Dispose();
    }
}
