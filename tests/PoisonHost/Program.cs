using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Messaging;
using Shop.PoisonHost;

// A service host whose consumer takes its own process down on a poison message, for the delivery-limit tests: they
// run it as a child process and restart it after every crash. Settings come from the command line.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton(new ConsumedLog(builder.Configuration["PoisonHost:ConsumedLog"]
    ?? throw new InvalidOperationException("PoisonHost:ConsumedLog is not set.")));
builder.Services.AddShopMessaging(builder.Configuration, x => x.AddConsumer<WorkItemConsumer>());
await builder.Build().RunAsync();
