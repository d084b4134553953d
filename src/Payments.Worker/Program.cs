using Shop.Hosting.Lambda;
using Shop.Payments.Worker.Extensions;
using Shop.Payments.Worker.Persistence;
using Shop.ServiceDefaults;

if (await HealthProbe.TryRun(args)) return;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddLambdaHost();
builder.AddPayments();

var app = builder.Build();

app.MapDefaultEndpoints();

await app.MigrateDatabaseAsync<PaymentsDbContext>();
app.Run();

public partial class Program;
