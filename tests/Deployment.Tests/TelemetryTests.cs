using System.Diagnostics;
using MassTransit.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Shop.Messaging;
using Shop.ServiceDefaults;

namespace Shop.Deployment.Tests;

/// <summary>
/// Traces and metrics cost processor time on every request and message, so a service records them only when it has
/// somewhere to send them; with a collector configured, the bus's activities are part of what it sends.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public void Records_nothing_without_a_collector()
    {
        using var host = Build(otlpEndpoint: null);

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void Traces_the_bus_when_a_collector_is_configured()
    {
        // Nothing listens there: the exporter's failures stay inside its background thread.
        using var host = Build(otlpEndpoint: "http://127.0.0.1:9");

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        using var source = new ActivitySource(DiagnosticHeaders.DefaultListenerName);
        using var activity = source.StartActivity("probe");
        Assert.NotNull(activity);
        Assert.True(activity.Recorded);
    }

    static IHost Build(string? otlpEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlpEndpoint
        });
        builder.AddServiceDefaults();
        builder.Services.AddShopMessaging(builder.Configuration, _ => { });
        return builder.Build();
    }
}
