using Shop.Hosting.Lambda;
using Shop.Notifications.Worker.Extensions;
using Shop.Notifications.Worker.Persistence;
using Shop.ServiceDefaults;

if (await HealthProbe.TryRun(args)) return;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddLambdaHost();
builder.AddNotifications();

var app = builder.Build();

app.MapDefaultEndpoints();

await app.MigrateDatabaseAsync<NotificationsDbContext>();
app.Run();

public partial class Program;
