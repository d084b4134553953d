using Shop.Search.Worker.Extensions;
using Shop.ServiceDefaults;

if (await HealthProbe.TryRun(args)) return;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSearchWorker();

var app = builder.Build();

app.MapDefaultEndpoints();

await app.InitializeReadModelAsync();
if (await app.TryRunRebuild(args)) return;
app.Run();

public partial class Program;
