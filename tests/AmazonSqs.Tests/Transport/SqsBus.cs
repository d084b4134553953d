using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.AmazonSqs.Tests.Infrastructure;
using Shop.Messaging;

namespace Shop.AmazonSqs.Tests.Transport;

/// <summary>
/// A service host on the SQS/SNS transport against fauxqs, set up by <c>AddShopMessaging</c> exactly as the services
/// are, with the given consumers. Every queue and topic carries <paramref name="prefix"/>, so tests never share one.
/// </summary>
public sealed class SqsBus : IAsyncDisposable
{
    readonly IHost _host;

    SqsBus(IHost host) => _host = host;

    public IBus Bus => _host.Services.GetRequiredService<IBus>();
    public IServiceProvider Services => _host.Services;

    public static async Task<SqsBus> StartAsync(FauxqsEnvironment fauxqs, string prefix, Action<IBusRegistrationConfigurator> configure,
        Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "AmazonSqs",
            ["Messaging:AmazonSqs:ServiceUrl"] = fauxqs.Endpoint.ToString(),
            ["Messaging:AmazonSqs:Region"] = "us-east-1",
            ["Messaging:AmazonSqs:Prefix"] = prefix + "-",
            ["Messaging:AmazonSqs:WaitTimeSeconds"] = "2",
            ["Messaging:Retry:ImmediateLimit"] = "0",
            ["Messaging:Retry:RedeliveryEnabled"] = "false",
            ["Messaging:PrefetchCount"] = "16",
            ["Messaging:StopTimeout"] = "00:00:20",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(new MessageLogRegistry());
        services?.Invoke(builder.Services);
        builder.Services.AddShopMessaging(builder.Configuration, configure);

        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await ((IAsyncDisposable)host).DisposeAsync();
            throw;
        }

        return new SqsBus(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>Per-host message logs, so a consumer can record what it saw where the test can read it.</summary>
public sealed class MessageLogRegistry
{
    public Shop.Testing.MessageLog Log { get; } = new();
}
