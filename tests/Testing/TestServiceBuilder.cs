using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.Testing;

/// <summary>
/// The one way a test hosts a service: a generic host (a worker) or a web app on an in-memory test server, in the
/// Testing environment, with retries short enough for tests, the transport the suite runs on, the suite's log levels,
/// and whatever must happen before it starts (migrating its database). Settings are read as the service registers
/// itself, so give them (<see cref="With"/>) before the service's own <c>AddX</c>.
/// </summary>
public sealed class TestServiceBuilder
{
    /// <summary>Retries, redelivery and outbox delays in milliseconds rather than the production seconds and minutes.</summary>
    public static IReadOnlyDictionary<string, string?> FastRetries { get; } = new Dictionary<string, string?>
    {
        ["Messaging:Retry:ImmediateLimit"] = "3",
        ["Messaging:Retry:ImmediateMinInterval"] = "00:00:00.050",
        ["Messaging:Retry:ImmediateMaxInterval"] = "00:00:00.200",
        ["Messaging:Retry:ImmediateIntervalDelta"] = "00:00:00.050",
        ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:00.500",
        ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
        ["Messaging:DurableStore:MinRetryDelay"] = "00:00:00.200",
        ["Messaging:DurableStore:MaxRetryDelay"] = "00:00:01",
    };

    readonly Func<IHost> _build;
    readonly List<Action<WebApplication>> _maps = [];
    readonly List<Func<IHost, Task>> _beforeStart = [];
    readonly List<Func<IServiceProvider, Quiescence.Probe>> _outboxes = [];

    TestServiceBuilder(IHostApplicationBuilder builder, Func<IHost> build, IntegrationEnvironment? environment, bool fastRetries)
    {
        Builder = builder;
        _build = build;
        if (fastRetries)
            With(FastRetries);
        if (environment is not null)
            With(environment.WithTransport([]));
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Shop", Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("SHOP_TEST_LOG_LEVEL") ?? "Warning"))
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command",
                Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("SHOP_TEST_SQL_LOG_LEVEL") ?? "Warning"));
    }

    /// <summary>A generic host, reading no settings but the test's (no appsettings.json, no environment variables).</summary>
    /// <param name="environment">The class's broker space and transport; null when the settings name the transport.</param>
    /// <param name="fastRetries">False for a host that keeps the production retry policy but for what its settings say.</param>
    public static TestServiceBuilder Worker(IntegrationEnvironment? environment = null, bool fastRetries = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        return new TestServiceBuilder(builder, builder.Build, environment, fastRetries);
    }

    /// <summary>A web app on an in-memory test server (<see cref="TestService.CreateClient"/>).</summary>
    /// <param name="onlyTestSettings">True to drop the web host's default sources (appsettings.json, environment variables).</param>
    /// <param name="kestrel">Kestrel on a loopback port of its choosing instead (the benchmarks: what production runs); no test client.</param>
    public static TestServiceBuilder Web(IntegrationEnvironment? environment = null, bool fastRetries = true, bool onlyTestSettings = false,
        bool kestrel = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        if (kestrel)
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        else
            builder.WebHost.UseTestServer();
        if (onlyTestSettings)
            builder.Configuration.Sources.Clear();
        return new TestServiceBuilder(builder, builder.Build, environment, fastRetries);
    }

    public IHostApplicationBuilder Builder { get; }
    public IServiceCollection Services => Builder.Services;
    public IConfigurationManager Configuration => Builder.Configuration;

    /// <summary>Settings on top of those given before (the last one given wins).</summary>
    public TestServiceBuilder With(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        Builder.Configuration.AddInMemoryCollection(settings);
        return this;
    }

    /// <summary>The service's own registrations, as its Program.cs makes them.</summary>
    public TestServiceBuilder Add(Action<IHostApplicationBuilder> add)
    {
        add(Builder);
        return this;
    }

    /// <summary>Endpoints of a web app.</summary>
    public TestServiceBuilder Map(Action<WebApplication> map)
    {
        _maps.Add(map);
        return this;
    }

    /// <summary>Work between building and starting, in order: migrating the database, seeding it.</summary>
    public TestServiceBuilder BeforeStart(Func<IHost, Task> step)
    {
        _beforeStart.Add(step);
        return this;
    }

    /// <summary>Counts the service's outbox in <see cref="TestService.Busy"/>.</summary>
    public TestServiceBuilder WatchOutbox<TDbContext>() where TDbContext : DbContext
    {
        _outboxes.Add(services => Quiescence.OutboxEmpty<TDbContext>(services, $"{typeof(TDbContext).Name} outbox"));
        return this;
    }

    public async Task<TestService> Start()
    {
        var host = _build();
        foreach (var map in _maps)
            map((WebApplication)host);
        foreach (var step in _beforeStart)
            await step(host);
        await host.StartAsync();
        return new TestService(host, _outboxes.Select(outbox => outbox(host.Services)).ToList());
    }
}

/// <summary>A started service under test: its host, what it is busy with, and a clean stop.</summary>
public sealed class TestService : IAsyncDisposable
{
    readonly IReadOnlyList<Quiescence.Probe> _outboxes;

    internal TestService(IHost host, IReadOnlyList<Quiescence.Probe> outboxes)
    {
        Host = host;
        _outboxes = outboxes;
        host.Services.GetService<IBus>()?.ConnectReceiveObserver(Receiving);
    }

    public IHost Host { get; }
    public IServiceProvider Services => Host.Services;
    public IBus Bus => Services.GetRequiredService<IBus>();

    /// <summary>The messages this service's bus is receiving right now.</summary>
    public ReceiveActivity Receiving { get; } = new();

    /// <summary>Where this service may still be busy: its watched outboxes and the messages it is receiving (see <see cref="Quiescence"/>).</summary>
    public IEnumerable<Quiescence.Probe> Busy => _outboxes.Append(Quiescence.NothingReceiving(Receiving));

    /// <summary>A client of a web app's test server.</summary>
    public HttpClient CreateClient() => Host.GetTestClient();

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync(TimeSpan.FromSeconds(15));
        if (Host is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
        else
            Host.Dispose();
    }
}
