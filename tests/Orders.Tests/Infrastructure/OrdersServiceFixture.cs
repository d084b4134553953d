using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Orders.Api.Persistence;
using Shop.Testing;

namespace Shop.Orders.Tests.Infrastructure;

/// <summary>
/// The Orders service as Program.cs composes it, on this class's RabbitMQ virtual host and PostgreSQL database,
/// next to a fake payments service. One per test class.
/// </summary>
public class OrdersServiceFixture : IntegrationEnvironment
{
    WebApplicationFactory<Program>? _factory;
    FakePaymentsService? _payments;
    readonly ReceiveActivity _ordersReceiving = new();

    /// <summary>The API as <see cref="Customer"/>, the fixture's own customer.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Guid Customer { get; } = Guid.NewGuid();
    public FakePaymentsService Payments => _payments ?? throw new InvalidOperationException("The fixture is not initialised.");
    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The fixture is not initialised.");

    protected virtual string EnvironmentName => "Testing";

    /// <summary>Settings short enough for tests; a derived fixture overrides some.</summary>
    protected virtual IDictionary<string, string?> Settings() => new Dictionary<string, string?>(TestServiceBuilder.FastRetries)
    {
        ["ConnectionStrings:Orders"] = ConnectionString,
        ["Messaging:PrefetchCount"] = "16",
        ["Messaging:Retry:ImmediateLimit"] = "5",
        ["Messaging:Retry:ImmediateMaxInterval"] = "00:00:00.300",
        ["Messaging:Retry:RedeliveryIntervals:1"] = "00:00:01",
        ["Orders:Saga:StockTimeout"] = "00:00:20",
        ["Orders:Saga:PaymentTimeout"] = "00:00:20",
    };

    /// <summary>The API as the customer <paramref name="customerId"/>: places orders, reads only their own.</summary>
    public HttpClient ClientFor(Guid customerId, string email = "ann@example.com") =>
        _factory!.CreateClient().WithBearer(TestTokens.Customer(customerId, email));

    /// <summary>The API with a token of <paramref name="token"/>'s choosing; none when null.</summary>
    public HttpClient ClientWith(string? token) => token is null ? _factory!.CreateClient() : _factory!.CreateClient().WithBearer(token);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _payments = await FakePaymentsService.Start(this);

        var settings = new Dictionary<string, string?>(TestTokens.Settings);
        foreach (var (key, value) in Settings())
            settings[key] = value;
        settings = WithTransport(settings);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(EnvironmentName);
            foreach (var (key, value) in settings)
                web.UseSetting(key, value);
            web.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        Client = ClientFor(Customer);
        Services.GetRequiredService<MassTransit.IBus>().ConnectReceiveObserver(_ordersReceiving);
    }

    /// <summary>Waits until the Orders outbox is empty, no queue holds a message and neither service is receiving one.</summary>
    public Task WaitUntilQuiet(TimeSpan? timeout = null) => Quiescence.WaitUntilQuiet(
    [
        Quiescence.OutboxEmpty(CreateDbContext, "Orders outbox"),
        QueuesEmpty(),
        Quiescence.NothingReceiving(_ordersReceiving),
        .. Payments.Busy
    ], timeout);

    public OrdersDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<OrdersDbContext>().UseNpgsql(ConnectionString).Options);

    public async Task<T> InScope<T>(Func<OrdersDbContext, Task<T>> query)
    {
        await using var db = CreateDbContext();
        return await query(db);
    }

    public override async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        if (_payments is not null)
            await _payments.DisposeAsync();
        await base.DisposeAsync();
    }
}

public static class OrderRequests
{
    /// <summary>An order's body: the customer is the client's token.</summary>
    public static object Valid(string cardToken = "tok_visa", params (string Sku, int Quantity)[] items) => new
    {
        items = (items.Length == 0 ? [("MUG-001", 1)] : items).Select(i => new { sku = i.Sku, quantity = i.Quantity }).ToArray(),
        payment = new { cardToken }
    };

    public static Task<HttpResponseMessage> PostOrder(this HttpClient client, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }
}
