using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shop.Images.Worker.Extensions;
using Shop.Images.Worker.Persistence;
using Shop.Notifications.Worker.Extensions;
using Shop.Notifications.Worker.Persistence;
using Shop.Orders.Api.Extensions;
using Shop.Orders.Api.Persistence;
using Shop.Payments.Worker.Extensions;
using Shop.Payments.Worker.Persistence;
using Shop.Search.Worker.Extensions;
using Shop.ServiceDefaults;
using Shop.Testing;

namespace Shop.Cluster;

/// <summary>
/// The three services of the order flow as three separate hosts (own container, own connections, own database) on
/// one RabbitMQ virtual host — what `scripts/run.sh` runs as processes, composed from the same registration methods.
/// </summary>
public sealed class ShopCluster : IAsyncDisposable
{
    readonly IntegrationEnvironment _environment;
    readonly Dictionary<string, string?> _settings;
    readonly List<TestService> _running = [];
    readonly ClusterHosting _hosting;
    // One connection pool for every client of a Kestrel-hosted API, as a real caller would keep.
    readonly SocketsHttpHandler? _handler;

    ShopCluster(IntegrationEnvironment environment, Dictionary<string, string?> settings, ClusterHosting? hosting)
    {
        _environment = environment;
        _settings = environment.WithTransport(settings);
        _hosting = hosting ?? new ClusterHosting();
        if (_hosting.Kestrel)
            _handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    }

    public WebApplication Orders { get; private set; } = null!;
    public WebApplication? Payments { get; private set; }
    public WebApplication Notifications { get; private set; } = null!;
    public WebApplication? Images { get; private set; }
    public WebApplication? Search { get; private set; }
    /// <summary>The API as staff (operator and catalog admin): reads every order, uploads images; places no order.</summary>
    public HttpClient Api { get; private set; } = null!;
    public string OrdersDatabase { get; private set; } = "";
    public string PaymentsDatabase { get; private set; } = "";
    public string NotificationsDatabase { get; private set; } = "";
    public string ImagesDatabase { get; private set; } = "";
    public string ReadModelDatabase { get; private set; } = "";

    public static async Task<ShopCluster> Start(IntegrationEnvironment environment, Func<string, Task>? prepareDatabase = null,
        bool withImages = false, bool withSearch = false, ClusterHosting? hosting = null)
    {
        var cluster = new ShopCluster(environment, new Dictionary<string, string?>
        {
            ["Messaging:Retry:ImmediateMinInterval"] = "00:00:00.050",
            ["Messaging:Retry:ImmediateMaxInterval"] = "00:00:00.500",
            ["Messaging:Retry:RedeliveryIntervals:0"] = "00:00:01",
            ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:02",
            ["Messaging:DurableStore:PollInterval"] = "00:00:00.500",
            ["Messaging:DurableStore:MaxRetryDelay"] = "00:00:02",
            ["Orders:Saga:StockTimeout"] = "00:01:00",
            ["Orders:Saga:PaymentTimeout"] = "00:02:00",
            ["Payments:Gateway:Latency"] = "00:00:00.002",
            ["Payments:Gateway:Resilience:RetryDelay"] = "00:00:00.050",
            // tok_flaky fails twice before it succeeds: with a quarter of the orders on it, bursts can push the failure
            // ratio past the default half and open the breaker, cancelling orders the tests expect confirmed. A
            // provider that recovers within its retries must not look like an outage here.
            ["Payments:Gateway:Resilience:CircuitBreakerFailureRatio"] = "0.9",
            // The API stores originals and the worker thumbnails in the same place, as on one machine or one bucket.
            ["BlobStorage:Disk:Root"] = Path.Combine(Path.GetTempPath(), "shop-e2e-blobs", environment.VirtualHost),
        }, hosting);
        foreach (var (key, value) in TestTokens.Settings)
            cluster._settings[key] = value;

        cluster.OrdersDatabase = await environment.CreateDatabase("orders");
        cluster.PaymentsDatabase = await environment.CreateDatabase("payments");
        cluster.NotificationsDatabase = await environment.CreateDatabase("notifications");
        if (withSearch)
        {
            // Before the API starts: its search endpoints read this read model.
            cluster.ReadModelDatabase = await environment.CreateDatabase("readmodel");
            cluster._settings["ConnectionStrings:ReadModel"] = cluster.ReadModelDatabase;
            cluster.Search = await cluster.StartHost("ConnectionStrings:ReadModel", cluster.ReadModelDatabase, b => b.AddSearchWorker(), null,
                null, host => host.InitializeReadModelAsync());
        }

        cluster.Orders = await cluster.StartService<OrdersDbContext>("ConnectionStrings:Orders", cluster.OrdersDatabase,
            b => b.AddOrdersApi(), app => app.MapOrdersApi(), prepareDatabase);
        cluster.Notifications = await cluster.StartService<NotificationsDbContext>("ConnectionStrings:Notifications",
            cluster.NotificationsDatabase, b => b.AddNotifications(), null, prepareDatabase);
        await cluster.StartPayments(prepareDatabase);
        if (withImages)
        {
            cluster.ImagesDatabase = await environment.CreateDatabase("images");
            cluster.Images = await cluster.StartService<ImagesDbContext>("ConnectionStrings:Images", cluster.ImagesDatabase,
                b => b.AddImagesWorker(), null, null);
        }

        cluster.Api = cluster.AnonymousClient().WithBearer(TestTokens.Staff());
        return cluster;
    }

    /// <summary>The API as the customer <paramref name="customerId"/>: places orders, reads only their own.</summary>
    public HttpClient CustomerClient(Guid customerId, string email = "buyer@example.com") =>
        AnonymousClient().WithBearer(TestTokens.Customer(customerId, email));

    public HttpClient AnonymousClient() => _handler is null
        ? Orders.GetTestClient()
        : new HttpClient(_handler, disposeHandler: false) { BaseAddress = new Uri(Orders.Urls.First()) };

    public async Task StartPayments(Func<string, Task>? prepareDatabase = null) =>
        Payments = await StartService<PaymentsDbContext>("ConnectionStrings:Payments", PaymentsDatabase, b => b.AddPayments(), null,
            prepareDatabase);

    public async Task StopPayments()
    {
        if (Payments is null)
            return;
        var payments = _running.Single(service => service.Host == Payments);
        _running.Remove(payments);
        await payments.DisposeAsync();
        Payments = null;
    }

    Task<WebApplication> StartService<TDbContext>(string connectionKey, string connectionString, Action<IHostApplicationBuilder> add,
        Action<WebApplication>? map, Func<string, Task>? prepareDatabase)
        where TDbContext : Microsoft.EntityFrameworkCore.DbContext =>
        StartHost(connectionKey, connectionString, add, map, prepareDatabase, host => host.MigrateDatabaseAsync<TDbContext>(),
            builder => builder.WatchOutbox<TDbContext>());

    // Its own retry settings (no TestServiceBuilder.FastRetries): the flow under load, not one message's retries.
    async Task<WebApplication> StartHost(string connectionKey, string connectionString, Action<IHostApplicationBuilder> add,
        Action<WebApplication>? map, Func<string, Task>? prepareDatabase, Func<IHost, Task> migrate,
        Action<TestServiceBuilder>? watch = null)
    {
        var builder = TestServiceBuilder.Web(fastRetries: false, kestrel: _hosting.Kestrel)
            .With(new Dictionary<string, string?>(_settings) { [connectionKey] = connectionString })
            .Add(b => b.AddServiceDefaults())
            .Add(add)
            .Map(app =>
            {
                app.MapDefaultEndpoints();
                map?.Invoke(app);
            })
            .BeforeStart(migrate);
        if (prepareDatabase is not null)
            builder.BeforeStart(_ => prepareDatabase(connectionString));
        watch?.Invoke(builder);
        if (_hosting.Configure is { } configure)
            builder.Add(b => configure((WebApplicationBuilder)b));

        var service = await builder.Start();
        _running.Add(service);
        return (WebApplication)service.Host;
    }

    /// <summary>
    /// Waits until every running service's outbox is empty, no queue holds a message and no service is receiving one:
    /// then nothing more arrives, and a test may count (including what must not have happened).
    /// </summary>
    public Task WaitUntilQuiet(TimeSpan? timeout = null)
    {
        return Quiescence.WaitUntilQuiet(_running.SelectMany(service => service.Busy).Append(_environment.QueuesEmpty()),
            timeout ?? TimeSpan.FromMinutes(2));
    }

    /// <summary>Places an order as a new customer.</summary>
    public async Task<Guid> PlaceOrder(string cardToken, params (string Sku, int Quantity)[] items)
    {
        using var customer = CustomerClient(Guid.NewGuid());
        var response = await customer.PostAsJsonAsync("/orders", new
        {
            items = items.Select(i => new { sku = i.Sku, quantity = i.Quantity }),
            payment = new { cardToken }
        });
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /orders answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var accepted = await response.Content.ReadFromJsonAsync<IdResponse>();
        return accepted!.Id;
    }

    sealed record IdResponse(Guid Id, string Status);

    public static async Task<List<T>> Query<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
            rows.Add(read(reader));
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        _handler?.Dispose();
        foreach (var service in _running)
            await service.DisposeAsync();
    }
}

/// <summary>How the cluster's hosts run: in-memory test servers (the tests' default) or Kestrel on loopback as in production.</summary>
/// <param name="Kestrel">Kestrel on 127.0.0.1 with a port of its choosing, reached over real sockets (the benchmarks).</param>
/// <param name="Configure">Applied to every host's builder after the service's own registrations (logging, settings).</param>
public sealed record ClusterHosting(bool Kestrel = false, Action<WebApplicationBuilder>? Configure = null);
