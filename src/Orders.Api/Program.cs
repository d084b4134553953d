using Shop.Orders.Api.Extensions;
using Shop.Orders.Api.Persistence;
using Shop.ServiceDefaults;

if (await HealthProbe.TryRun(args)) return;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrdersApi();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrdersApi();

await app.MigrateDatabaseAsync<OrdersDbContext>();
app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
