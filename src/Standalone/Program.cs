using Shop.Images.Worker.Extensions;
using Shop.Images.Worker.Persistence;
using Shop.Messaging.Composition;
using Shop.Notifications.Worker.Extensions;
using Shop.Notifications.Worker.Persistence;
using Shop.Orders.Api.Extensions;
using Shop.Orders.Api.Persistence;
using Shop.Payments.Worker.Extensions;
using Shop.Payments.Worker.Persistence;
using Shop.Search.Worker.Extensions;
using Shop.ServiceDefaults;
using Shop.Standalone;

// `--dashboard`: the Aspire dashboard beside the host, with its telemetry (opt-in: a download on first use).
var withDashboard = args.Contains(StandaloneDashboard.Switch);
args = StandaloneDashboard.StartIfAsked(args, out var dashboard);

// Settings are this project's appsettings.json, not the current directory's: `dotnet run --project` runs from anywhere.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

var data = builder.UseStandaloneDataFolder();
builder.AddServiceDefaults();
builder.Services.ComposeShopMessaging(builder.Configuration, () =>
{
    builder.AddOrdersApi();
    builder.AddPayments();
    builder.AddNotifications();
    builder.AddImagesWorker();
    builder.AddSearchWorker();
});

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrdersApi();

await app.MigrateDatabaseAsync<OrdersDbContext>();
await app.MigrateDatabaseAsync<PaymentsDbContext>();
await app.MigrateDatabaseAsync<NotificationsDbContext>();
await app.MigrateDatabaseAsync<ImagesDbContext>();
await app.InitializeReadModelAsync();

app.Lifetime.ApplicationStarted.Register(() => StandaloneBanner.Write(Console.Out, app.Urls, data, withDashboard ? StandaloneDashboard.Url : null));
app.Lifetime.ApplicationStopped.Register(() => dashboard?.Kill(entireProcessTree: true));
app.Run();
