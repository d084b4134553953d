using Shop.Hosting.Lambda;
using Shop.Images.Worker.Extensions;
using Shop.Images.Worker.Persistence;
using Shop.ServiceDefaults;

if (await HealthProbe.TryRun(args)) return;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddLambdaHost();
builder.AddImagesWorker();

var app = builder.Build();

app.MapDefaultEndpoints();
await app.MigrateDatabaseAsync<ImagesDbContext>();

app.Run();

public partial class Program;
